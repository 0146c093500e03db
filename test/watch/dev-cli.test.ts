// `strata dev --auto` end to end: the real CLI on temp projects, edited as a
// user would while it runs; results checked with other strata processes.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { DevEvent } from '../../engine/watch/index.js'
import { assetsByKey, createProject, get, type Project, type Started } from '../integration/helpers.js'
import { brief, eventLog, lineParser, sleep } from './helpers.js'

const DEV = ['dev', '--auto', '--debounce', '100', '--concurrency', '2']

/** Waits until the dev process has printed a line matching `re` (from offset `from`). */
async function waitForOutput(dev: Started, read: () => string, re: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const m = re.exec(read())
    if (m) return m[0]
    if (Date.now() > deadline || dev.child.exitCode !== null) {
      throw new Error(`dev did not print ${re} within ${timeoutMs} ms (exit ${dev.child.exitCode}).\n--- output ---\n${read()}`)
    }
    await sleep(50)
  }
}

/** Polls `strata list --json` (another process) until `ok` holds. */
async function pollList(p: Project, ok: (assets: ReturnType<typeof assetsByKey>) => boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  let last = ''
  for (;;) {
    const r = await p.run(['list', '--json'])
    if (r.code === 0) {
      const assets = assetsByKey(r)
      if (ok(assets)) return assets
      last = r.stdout
    } else last = r.stderr
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last list:\n${last}`)
    await sleep(150)
  }
}

async function stop(dev: Started): Promise<{ code: number | null; stdout: string; stderr: string }> {
  dev.child.kill('SIGINT')
  const r = await dev.result
  return r
}

describe('strata dev --auto', () => {
  it('rebuilds the downstream asset when a module imported by the definitions is edited; a broken save is reported', { timeout: 60_000 }, async () => {
    const p = createProject(
      `import { asset, defineDefinitions } from 'strata-engine'
import { raw } from './assets/raw.js'

export const doubled = asset({ key: 'doubled', ins: { raw }, compute: (_ctx, { raw }) => raw.map((x) => x * 2) })
export const total = asset({ key: 'report/total', ins: { doubled }, compute: (_ctx, { doubled }) => doubled.reduce((s, x) => s + x, 0) })
export default defineDefinitions({ assets: [raw, doubled, total] })
`,
      { 'assets/raw.ts': `import { asset } from 'strata-engine'\nexport const raw = asset({ key: 'raw', compute: () => [1, 2, 3] })\n` },
    )
    const dev = p.start(DEV)
    let out = ''
    dev.child.stdout!.on('data', (c: string) => (out += c))
    const read = () => out
    try {
      await waitForOutput(dev, read, /watching 2 file\(s\): definitions\.ts, assets\/raw\.ts/)
      await waitForOutput(dev, read, /run succeeded.*3 materialized/)
      const before = await pollList(p, (a) => [...a.values()].every((x) => x.status === 'FRESH'), 'the initial run')
      const firstRun = get(before, 'doubled').lastRunId

      // Edit the imported module, not the definitions file.
      p.write('assets/raw.ts', `import { asset } from 'strata-engine'\nexport const raw = asset({ key: 'raw', compute: () => [1, 2, 3, 4] })\n`)
      const after = await pollList(
        p,
        (a) => get(a, 'report/total').lastRunId !== firstRun && [...a.values()].every((x) => x.status === 'FRESH'),
        'the downstream assets rebuilt',
      )
      assert.notEqual(get(after, 'doubled').dataVersion, get(before, 'doubled').dataVersion)
      assert.notEqual(get(after, 'raw').codeVersion, get(before, 'raw').codeVersion)
      const lineage = (await p.ok(['lineage', 'report/total', '--json'])).json
      assert.equal(p.readObject(lineage.location), 20)
      const reloaded = await waitForOutput(dev, read, /reloaded definitions\.ts \(3 assets.*\n/)
      assert.match(reloaded, /after assets\/raw\.ts changed — raw: code changed: compute; stale: raw, doubled, report\/total/)

      // A syntax error: reported with its position; nothing runs; the last good definitions stay.
      const runsBefore = (out.match(/run succeeded/g) ?? []).length
      p.write('assets/raw.ts', `import { asset } from 'strata-engine'\nexport const raw = asset({ key: 'raw', compute: () => [1, 2, 3, 4 })\n`)
      await waitForOutput(dev, read, /reload failed: assets\/raw\.ts:2:\d+ Unexpected token.* — keeping the last good definitions/)
      await sleep(300)
      assert.equal((out.match(/run succeeded/g) ?? []).length, runsBefore, `no run after a failed reload:\n${out}`)
      assert.doesNotMatch(out.slice(out.lastIndexOf('reload failed')), /materializing/)

      const r = await stop(dev)
      assert.equal(r.code, 0, `dev exits 0 on Ctrl-C.\n${r.stdout}\n${r.stderr}`)
    } finally {
      if (dev.child.exitCode === null) dev.child.kill('SIGKILL')
      p.cleanup()
    }
  })

  it('a newer save during a slow run cancels it (running steps finish) and a new run builds the newer code', { timeout: 60_000 }, async () => {
    const slow = (version: string, ms: number) => `import { asset } from 'strata-engine'
import { src } from './src.js'
export const slow = asset({
  key: 'slow',
  ins: { src },
  compute: async (ctx, { src }) => {
    ctx.log.info('computing ${version}')
    await new Promise((r) => setTimeout(r, ${ms}))
    return { version: '${version}', src }
  },
})
`
    const p = createProject(
      `import { asset, defineDefinitions } from 'strata-engine'
import { src } from './src.js'
import { slow } from './slow.js'
export const after = asset({ key: 'after', ins: { slow }, compute: (_ctx, { slow }) => slow.version })
export default defineDefinitions({ assets: [src, slow, after] })
`,
      { 'src.ts': `import { asset } from 'strata-engine'\nexport const src = asset({ key: 'src', compute: () => 1 })\n`, 'slow.ts': slow('v1', 200) },
    )
    const log = eventLog()
    const dev = p.start([...DEV, '--json'])
    dev.child.stdout!.on('data', lineParser(log.push))
    const of = (reload: number, type: DevEvent['type']) => (e: DevEvent) => e.type === type && 'reload' in e && e.reload === reload
    const computing = (reload: number, version: string) => (e: DevEvent) =>
      e.type === 'run-event' && e.reload === reload && e.event.type === 'step-log' && e.event.line.message === `computing ${version}`
    try {
      await log.waitFor((e) => e.type === 'run-end' && e.reload === 1 && e.status === 'SUCCESS', { what: 'the initial run' })

      p.write('slow.ts', slow('v2', 3000))
      // Wait until v2's compute is running (the log line comes from inside it), then save v3.
      await log.waitFor(computing(2, 'v2'), { what: 'slow (v2) to be computing' })
      p.write('slow.ts', slow('v3', 100))

      const canceled = await log.waitFor(of(2, 'run-canceled'), { what: 'the v2 run to be canceled' })
      assert.equal(canceled.type === 'run-canceled' && canceled.reason, 'newer-definitions')
      const ended = await log.waitFor(of(2, 'run-end'), { what: 'the v2 run to end' })
      assert.equal(ended.type === 'run-end' && ended.status, 'CANCELED')
      // The running step finished; the one after it never started.
      const steps = new Map(
        log.events.flatMap((e) => (e.type === 'run-event' && e.reload === 2 && e.event.type === 'step-end' ? [[e.event.step.id, e.event.result] as const] : [])),
      )
      assert.equal(steps.get('slow')?.status, 'SUCCESS', [...log.events].map(brief).join('\n'))
      assert.equal(steps.get('after')?.skipReason, 'CANCELED')

      const changed = await log.waitFor(of(3, 'code-changed'), { what: 'the v3 reload' })
      const v3 = changed.type === 'code-changed' ? changed.changed.find((c) => c.key === 'slow')?.current : undefined
      assert.ok(v3, 'slow changed code version in reload 3')
      const newRun = await log.waitFor((e) => e.type === 'run-end' && e.reload === 3, { what: 'the v3 run', timeoutMs: 30_000 })
      assert.equal(newRun.type === 'run-end' && newRun.status, 'SUCCESS')
      // Order: the canceled run ended before the new one started.
      const idx = (m: (e: DevEvent) => boolean) => log.events.findIndex(m)
      assert.ok(idx(of(2, 'run-end')) < idx(of(3, 'run-start')))
      assert.ok(idx(of(3, 'run-start')) < idx(of(3, 'run-end')))

      const assets = assetsByKey(await p.ok(['list', '--json']))
      assert.equal(get(assets, 'slow').codeVersion, v3)
      assert.equal(get(assets, 'slow').status, 'FRESH')
      assert.equal(get(assets, 'after').status, 'FRESH')
      const lineage = (await p.ok(['lineage', 'after', '--json'])).json
      assert.equal(p.readObject(lineage.location), 'v3')

      // Ctrl-C during a run: the run is canceled (its running step finishes), the process exits 0.
      const from = log.mark()
      p.write('slow.ts', slow('v4', 1500))
      await log.waitFor(computing(4, 'v4'), { from, what: 'slow (v4) to be computing' })
      const r = await stop(dev)
      assert.equal(r.code, 0, r.stderr)
      const closing = log.events.slice(from)
      assert.ok(closing.some((e) => e.type === 'run-canceled' && e.reason === 'close'), closing.map(brief).join('\n'))
      assert.ok(closing.some((e) => e.type === 'run-end' && e.status === 'CANCELED'), closing.map(brief).join('\n'))
      const runs = (await p.ok(['runs', '--json'])).json.runs as Array<{ status: string }>
      assert.equal(runs[0]!.status, 'CANCELED')
      assert.ok(!runs.some((x) => x.status === 'RUNNING'), 'no run is left RUNNING')
    } finally {
      if (dev.child.exitCode === null) dev.child.kill('SIGKILL')
      p.cleanup()
    }
  })
})
