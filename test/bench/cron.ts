// Cron ticks and cron partitions: the cost of nextTick walking a schedule
// and from scattered instants, and of time-window partitions over crons
// outside the regular shapes against the O(1) grid of the regular ones.
// Prints figures; asserts nothing.
import { nextTick, previousTick } from '../../assets/cron/ticks.js'
import { dailyPartitions, timeWindowPartitions } from '../../assets/partitions/index.js'

const NY = 'America/New_York'

function time(fn: () => number): { ms: number; n: number } {
  const t = performance.now()
  const n = fn()
  return { ms: performance.now() - t, n }
}

function walk(cron: string): { ms: number; n: number } {
  return time(() => {
    const end = Date.UTC(2025, 0, 1)
    let n = 0
    for (let t = nextTick(cron, new Date(Date.UTC(2024, 0, 1)), NY)!; t.getTime() < end; t = nextTick(cron, t, NY)!) n++
    return n
  })
}

function scattered(cron: string, count: number): { ms: number; n: number } {
  let seed = 12
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31)
  const instants = Array.from({ length: count }, () => new Date(Date.UTC(2000, 0, 1) + random() * 40 * 365 * 86_400_000))
  return time(() => {
    for (const t of instants) {
      nextTick(cron, t, NY)
      previousTick(cron, t, NY)
    }
    return count * 2
  })
}

export async function run(): Promise<void> {
  console.log('cron ticks in America/New_York (DST rules applied; after one warm-up pass)')
  const crons = ['0 * * * *', '*/15 * * * *', '0 0,11 * * *', '0 9 * * 1-5', '30 2 * * *', '0 0 1 1 *']
  for (const cron of crons) walk(cron)
  for (const cron of crons) {
    const w = walk(cron)
    const s = scattered(cron, 2_000)
    console.log(
      `  ${cron.padEnd(14)} walking 2024: ${String(w.n).padStart(6)} ticks, ${((w.ms * 1000) / Math.max(1, w.n)).toFixed(1).padStart(5)} µs each` +
        ` | from scattered instants: ${((s.ms * 1000) / s.n).toFixed(1).padStart(6)} µs a call`,
    )
  }

  console.log('cron partitions: definition (key format checked) + keys() at 2024-01-01')
  const now = { now: new Date(Date.UTC(2024, 0, 1)) }
  const cases: Array<[string, () => ReturnType<typeof timeWindowPartitions>]> = [
    ['daily, regular grid, 10 y', () => dailyPartitions({ start: '2014-01-01', timezone: NY })],
    ['0 0 * * 1-5, 10 y', () => timeWindowPartitions({ cron: '0 0 * * 1-5', start: '2014-01-01', timezone: NY })],
    ['0 0,11 * * *, 10 y', () => timeWindowPartitions({ cron: '0 0,11 * * *', start: '2014-01-01', timezone: NY })],
    ['*/15 * * * *, 3 y', () => timeWindowPartitions({ cron: '*/15 * * * *', start: '2021-01-01-00:00', timezone: NY })],
    ['0 0 1 1 * (yearly), 24 y', () => timeWindowPartitions({ cron: '0 0 1 1 *', start: '2000', fmt: 'yyyy', timezone: NY })],
  ]
  for (const [label, make] of cases) {
    const def = time(() => (make(), 1))
    const p = make()
    const first = time(() => p.keys(now).length)
    const again = time(() => p.keys(now).length)
    console.log(`  ${label.padEnd(26)} define ${def.ms.toFixed(1).padStart(6)} ms | keys() ${String(first.n).padStart(7)} keys ${first.ms.toFixed(1).padStart(6)} ms, again ${again.ms.toFixed(1).padStart(5)} ms`)
  }
}
