// Watch mode figures: reload latency (cold, with a warm spare, back to back),
// memory over many reloads, and save → downstream rebuilt with --auto.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startDevSession, type DevEvent } from '../../engine/watch/index.js'
import { fmt, makeProject } from './project.js'

const DEFS = `import { asset, defineDefinitions } from 'strata-engine'
import { raw } from './raw.js'
export const doubled = asset({ key: 'doubled', ins: { raw }, compute: (_c, { raw }) => raw.map((x) => x * 2) })
export const total = asset({ key: 'total', ins: { doubled }, compute: (_c, { doubled }) => doubled.reduce((s, x) => s + x, 0) })
export default defineDefinitions({ assets: [raw, doubled, total] })
`
const raw = (n: number) => `import { asset } from 'strata-engine'\nexport const raw = asset({ key: 'raw', compute: () => Array.from({ length: ${n} }, (_, i) => i) })\n`
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const MB = 1024 * 1024

export async function run(): Promise<void> {
  console.log('## Watch mode (strata dev)')
  const p = makeProject(DEFS)
  writeFileSync(join(p.dir, 'raw.ts'), raw(10))
  try {
    {
      const loads: number[] = []
      const onEvent = (e: DevEvent) => {
        if (e.type === 'reload-ok') loads.push(e.durationMs)
        else if (e.type === 'reload-error' || e.type === 'error') throw new Error(`unexpected: ${e.message}`)
      }
      const session = await startDevSession({ defsPath: join(p.dir, 'definitions.ts'), debounceMs: 60_000, onEvent })
      await session.idle()
      const cold = loads[0]!
      loads.length = 0
      for (let i = 0; i < 10; i++) {
        await sleep(600) // a spare isolate warms between saves
        await session.reload()
      }
      const warm = median(loads)
      let t = performance.now()
      for (let i = 0; i < 20; i++) await session.reload()
      const backToBack = (performance.now() - t) / 20
      const rss0 = process.memoryUsage().rss
      t = performance.now()
      for (let i = 0; i < 100; i++) await session.reload()
      const per = (performance.now() - t) / 100
      const rss1 = process.memoryUsage().rss
      await session.close()
      console.log(`reload, first (cold isolate): ${fmt(cold)}`)
      console.log(`reload after a save, spare isolate warm: ${fmt(warm)} (median of 10)`)
      console.log(`reloads back to back (each warms an isolate): ${fmt(backToBack)} each`)
      console.log(`100 more reloads: ${fmt(per)} each; RSS ${(rss0 / MB).toFixed(0)} → ${(rss1 / MB).toFixed(0)} MB`)
    }
    {
      const events: DevEvent[] = []
      const session = await startDevSession({ defsPath: join(p.dir, 'definitions.ts'), auto: true, debounceMs: 100, onEvent: (e) => events.push(e) })
      await session.idle()
      const times: number[] = []
      for (let i = 0; i < 5; i++) {
        await sleep(800)
        const from = events.length
        const t = performance.now()
        writeFileSync(join(p.dir, 'raw.ts'), raw(20 + i))
        while (!events.slice(from).some((e) => e.type === 'run-end')) await sleep(5)
        times.push(performance.now() - t)
        await session.idle()
      }
      await session.close()
      console.log(`--auto: save an imported module → 3 assets rebuilt: ${fmt(median(times))} (median of 5, includes the 100 ms debounce)`)
    }
  } finally {
    p.cleanup()
  }
}
