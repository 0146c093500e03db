// Partition key generation and window look-ups. Prints figures; asserts nothing.
import { pathToFileURL } from 'node:url'
import { dailyPartitions, hourlyPartitions } from '../../assets/partitions/index.js'

function ms(t0: number): string {
  return `${(performance.now() - t0).toFixed(1)} ms`
}

/** Target: 100,000 hourly UTC keys ≤ 100 ms; window() O(1) per key. */
export async function run(): Promise<void> {
  console.log('## Partition keys')
  const start = new Date(Date.UTC(2010, 0, 1))
  const now = new Date(start.getTime() + 100_000 * 3_600_000)

  let t = performance.now()
  const hourly = hourlyPartitions({ start })
  const keys = hourly.keys({ now })
  console.log(`100,000 hourly UTC keys (cold, incl. definition): ${ms(t)}  [target ≤ 100 ms] (${keys.length} keys)`)

  t = performance.now()
  const fresh = hourlyPartitions({ start, endOffset: 1 })
  fresh.keys({ now })
  console.log(`100,000 hourly UTC keys (second definition, warm JIT): ${ms(t)}`)

  let sink = 0
  for (const pass of ['cold', 'warm']) {
    t = performance.now()
    for (const k of keys) sink += hourly.window(k).end.getTime() & 1
    console.log(`window() of each of the 100,000 hourly keys (${pass}): ${ms(t)}`)
  }

  t = performance.now()
  const ny = hourlyPartitions({ start, timezone: 'America/New_York' })
  const nyKeys = ny.keys({ now })
  console.log(`100,000 hourly America/New_York keys (DST suffixes): ${ms(t)} (${nyKeys.filter((k) => k.length > 16).length} repeated-hour keys)`)

  t = performance.now()
  const daily = dailyPartitions({ start: '2011-01-01', timezone: 'America/New_York' })
  const days = daily.keys({ now: new Date(Date.UTC(2021, 0, 1, 12)) })
  console.log(`daily America/New_York keys over 10 years (cold, incl. zone offsets): ${ms(t)} (${days.length} keys)`)

  t = performance.now()
  for (const k of days) sink += daily.window(k).end.getTime() & 1
  console.log(`window() of each of the ${days.length} daily New York keys: ${ms(t)}`)
  if (sink < 0) console.log(sink)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run()
