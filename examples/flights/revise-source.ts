/**
 * Writes a revised copy of the source file, as a provider republishing it
 * with corrections would: the delays of the flights of the given days are
 * increased by some minutes, every other row is unchanged. It shows what
 * automation does with a changed file (README.md, "Automation"): only the
 * revised days, and the days whose 7-day history includes them, are rebuilt.
 *
 *   node --import ./engine/loader/auto.mjs examples/flights/revise-source.ts \
 *     --days 2001-06-10,2001-06-11 --minutes 45 [--from FILE] --out FILE
 *
 * `--from` defaults to the file the pipeline reads (FLIGHTS_SOURCE, else
 * vega-datasets' copy). The file is written beside `--out` and renamed over
 * it, so a sensor never reads half a file.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { tableFromIPC, tableToIPC } from 'apache-arrow'
import { defaultSourcePath } from './ingest.js'

const DAY_US = 86_400_000_000n

/** Adds `minutes` to the delay of every flight dated on one of `days` (YYYY-MM-DD, UTC); returns how many rows changed per day. */
export function reviseDelays(dates: BigInt64Array, delays: BigInt64Array, days: readonly string[], minutes: number): Map<string, number> {
  const starts = new Map(days.map((d) => [BigInt(Date.parse(`${d}T00:00:00Z`)) * 1000n, d]))
  const changed = new Map(days.map((d) => [d, 0]))
  const add = BigInt(minutes)
  for (let i = 0; i < dates.length; i++) {
    const day = starts.get(dates[i]! - (((dates[i]! % DAY_US) + DAY_US) % DAY_US))
    if (day === undefined) continue
    delays[i] = delays[i]! + add
    changed.set(day, changed.get(day)! + 1)
  }
  return changed
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { days: { type: 'string' }, minutes: { type: 'string', default: '45' }, from: { type: 'string' }, out: { type: 'string' } } })
  const days = (values.days ?? '').split(',').filter((d) => d !== '')
  const minutes = Number(values.minutes)
  if (days.length === 0 || !values.out || !Number.isInteger(minutes) || days.some((d) => !/^\d{4}-\d{2}-\d{2}$/.test(d))) {
    console.error('usage: revise-source.ts --days YYYY-MM-DD[,YYYY-MM-DD…] [--minutes N] [--from FILE] --out FILE')
    process.exit(2)
  }
  const from = values.from ?? process.env.FLIGHTS_SOURCE ?? defaultSourcePath()
  const { readParquet, writeParquet, Table, WriterPropertiesBuilder, Compression } = await import('parquet-wasm')
  const table = tableFromIPC(readParquet(readFileSync(from), { batchSize: 1 << 23 }).intoIPCStream())
  const counts = new Map<string, number>()
  for (const batch of table.batches) {
    // Values are edited in place: `date` is microseconds since the epoch, `delay` minutes, both Int64.
    const dates = batch.getChild('date')!.data[0]!.values as BigInt64Array
    const delays = batch.getChild('delay')!.data[0]!.values as BigInt64Array
    for (const [d, n] of reviseDelays(dates, delays, days, minutes)) counts.set(d, (counts.get(d) ?? 0) + n)
  }
  const props = new WriterPropertiesBuilder().setCompression(Compression.ZSTD).build()
  const bytes = writeParquet(Table.fromIPCStream(tableToIPC(table, 'stream')), props)
  const tmp = `${values.out}.${process.pid}.tmp`
  writeFileSync(tmp, bytes)
  renameSync(tmp, values.out)
  for (const [d, n] of counts) console.log(`${d}: ${n.toLocaleString('en-US')} flights, delay +${minutes} min`)
  console.log(`wrote ${values.out} (${bytes.byteLength.toLocaleString('en-US')} bytes)`)
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
