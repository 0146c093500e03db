// The runs pane over a real workspace: a run started from the UI (in-process
// executor) streams its steps and log lines, fails one step, moves to history
// and leaves the assets fresh; canceling it; and a run of another process
// (the real CLI) followed through storage polling, then canceled with SIGINT.
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { cleanup } from 'ink-testing-library'
import { workspaceOpener } from '../../ui-terminal/app/workspace-loader.js'
import { WorkspaceModel } from '../../ui-terminal/app/workspace-model.js'
import { createProject, type Project } from '../integration/helpers.js'
import { KEY, renderApp, type Rendered } from './helpers.js'

const DEFS = `import { asset, defineDefinitions, output } from 'strata-engine'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const SLOW = Number(process.env.UI_TEST_SLOW_MS ?? 600)

export const source = asset({ key: 'source', group: 'raw', compute: async (ctx) => {
  ctx.log.info('reading source')
  await sleep(100)
  return [1, 2, 3]
} })
export const slow = asset({ key: 'slow', group: 'work', ins: { source }, compute: async (ctx, { source }) => {
  ctx.log.info('step 1 of 2')
  await sleep(SLOW)
  ctx.log.warn('halfway there')
  await sleep(SLOW)
  return output(source.length, { metadata: { rows: source.length } })
} })
export const report = asset({ key: 'report', group: 'work', ins: { slow }, compute: (ctx, { slow }) => {
  ctx.log.info('report of ' + slow)
  return { n: slow }
} })
export const broken = asset({ key: 'broken', group: 'work', ins: { source }, compute: () => {
  throw new Error('disk full')
} })
export default defineDefinitions({ assets: [source, slow, report, broken] })
`

interface Harness {
  project: Project
  model: WorkspaceModel
  ui: Rendered
}

const open: Harness[] = []

async function start(opts: { pollMs?: number } = {}): Promise<Harness> {
  const project = createProject(DEFS)
  const model = new WorkspaceModel({ open: workspaceOpener({ cwd: project.dir }), title: 'runs-test', executor: 'in-process', pollMs: opts.pollMs })
  await model.start()
  const ui = renderApp(model, { width: 140, height: 40 })
  const h = { project, model, ui }
  open.push(h)
  await ui.waitFor(/○ report/, 'the assets to load')
  return h
}

afterEach(async () => {
  cleanup()
  for (const h of open.splice(0)) {
    await h.model.close({ cancelRuns: true })
    h.project.cleanup()
  }
})

describe('runs pane with a real workspace', () => {
  it('follows a run started with M: running step, streaming logs, progress, failure, then history and fresh assets', async () => {
    const { ui } = await start()
    await ui.press('M') // source and everything downstream
    await ui.press('r')
    let f = await ui.waitFor(/▶ slow\s+running/, 'the slow step to run')
    assert.match(f, /Live \(1\)/)
    assert.match(f, /source\*/, 'the run shows its selection')
    assert.match(f, /[0-9]\/4/, 'progress counts the 4 steps')
    assert.match(f, /✓ source\s+\d+ ms/)
    f = await ui.waitFor(/info\s+step 1 of 2/, 'the running step\'s first log line')
    assert.match(f, /Log of slow/)
    f = await ui.waitFor(/warn\s+halfway there/, 'the second log line to stream in')
    f = await ui.waitFor(/History \(1\)/, 'the run to finish and move to history', 15_000)
    assert.match(f, /✗ [0-9a-f]{8} source\*/, 'the run failed (broken)')
    assert.match(f, /✓ slow\s+\d/)
    assert.match(f, /✓ report/)
    assert.match(f, /✗ broken\s+failed: disk full/)
    assert.match(f, /Run [0-9a-f]{8} failed: 1 step\(s\) failed \(broken: disk full\)/)
    // The step cursor picks another step's log.
    await ui.press(KEY.right, KEY.right, KEY.right, KEY.right)
    assert.match(ui.frame(), /Log of (report|broken)/)
    // Back to the assets: fresh and failed glyphs from the recomputed status.
    await ui.press('r')
    f = await ui.waitFor((x) => /● report/.test(x) && /✗ broken/.test(x), 'report fresh and broken failed')
    assert.match(f, /● source/)
    assert.match(f, /● slow/)
  })

  it('c cancels a run started here: the running step finishes, nothing new starts', async () => {
    const { ui } = await start()
    await ui.press('M') // source and everything downstream
    await ui.press('r')
    await ui.waitFor(/▶ slow\s+running/, 'slow to start (source first)')
    await ui.press('c')
    let f = await ui.waitFor(/Canceling run [0-9a-f]{8}: running steps finish, nothing new starts\./, 'the cancel message')
    f = await ui.waitFor(/History \(1\)/, 'the canceled run in history', 15_000)
    assert.match(f, /⊘ [0-9a-f]{8} source\*/)
    assert.match(f, /✓ slow\s+\d/, 'the running step finished')
    assert.match(f, /⊘ report\s+canceled/)
    assert.match(f, /Run [0-9a-f]{8} canceled after/)
  })

  it('follows a run of another process within a second, with its steps and logs from storage', async () => {
    const { project, ui } = await start()
    await project.ok(['materialize', 'source', '--executor', 'in-process'])
    await ui.waitFor(/● source/, 'a finished run of another process to update the status')
    const child = project.start(['materialize', 'slow', 'report', '--executor', 'in-process'], { env: { UI_TEST_SLOW_MS: '1500' } })
    await ui.press('r')
    const seen = Date.now()
    let f = await ui.waitFor(new RegExp(`▶ [0-9a-f]{8} slow report \\(pid ${child.child.pid}\\)`), 'the other process\'s run, live')
    f = await ui.waitFor(/▶ slow\s+running/, 'its running step')
    assert.ok(Date.now() - seen < 4000, 'seen promptly')
    f = await ui.waitFor(/warn\s+halfway there/, 'its log lines, read from storage')
    const result = await child.result
    assert.equal(result.code, 0, result.stderr)
    f = await ui.waitFor(/✓ report/, 'the last step')
    f = await ui.waitFor(/History \(2\)/, 'both runs in history')
    await ui.press('r')
    await ui.waitFor((x) => /● slow/.test(x) && /● report/.test(x), 'the assets fresh after the other process\'s run')
  })

  it('c on a run of another process on this host sends it SIGINT, which the CLI treats as a graceful cancel', async () => {
    const { project, ui } = await start()
    await project.ok(['materialize', 'source', '--executor', 'in-process'])
    const child = project.start(['materialize', 'slow', 'report', '--executor', 'in-process'], { env: { UI_TEST_SLOW_MS: '2000' } })
    await ui.press('r')
    await ui.waitFor(/▶ slow\s+running/, 'the other process\'s step to run')
    await ui.press('c')
    await ui.waitFor(new RegExp(`Sent SIGINT to process ${child.child.pid}`), 'the signal message')
    const result = await child.result
    assert.equal(result.code, 130, `the CLI exits 130 for a run canceled with SIGINT:\n${result.stderr}`)
    assert.match(result.stderr, /Canceling: a step running in-process cannot be interrupted/)
    const f = await ui.waitFor(/⊘ [0-9a-f]{8} slow report/, 'the canceled run in history')
    assert.match(f, /History/)
  })
})

describe('errors in the UI', () => {
  it('a definitions file that fails to load shows in the status line; R reloads once fixed', async () => {
    const project = createProject(`import { asset, defineDefinitions } from 'strata-engine'\nexport const a = asset({ key: 'a', deps: ['nope'], compute: () => 1 })\nexport default defineDefinitions({ assets: [a] })\n`)
    const model = new WorkspaceModel({ open: workspaceOpener({ cwd: project.dir }), title: 'broken', executor: 'in-process' })
    open.push({ project, model, ui: undefined as unknown as Rendered })
    await model.start()
    const ui = renderApp(model, { width: 140, height: 30 })
    let f = await ui.waitFor(/Could not load the definitions/, 'the load error')
    assert.match(f, /depends on "nope"|nope/)
    assert.match(f, /\[STRATA_UNKNOWN_DEP\]/)
    assert.match(f, /fix them, then press R to reload/)
    assert.equal(ui.lines().length, 30, 'the wrapped error keeps the frame height')
    assert.match(f, /No assets loaded\./)
    // Keys still work and explain.
    await ui.press('m')
    assert.match(ui.frame(), /No asset selected\./)
    await ui.press('?')
    assert.match(ui.frame(), /Strata UI: keys/)
    await ui.press('?')
    project.writeDefs(`import { asset, defineDefinitions } from 'strata-engine'\nexport const a = asset({ key: 'a', compute: () => 1 })\nexport default defineDefinitions({ assets: [a] })\n`)
    await ui.press('R')
    f = await ui.waitFor(/○ a/, 'the fixed definitions to load')
    assert.match(f, /Reloaded 1 asset\(s\)/)
    // A later edit is read again on the next reload, with the same storage.
    project.writeDefs(`import { asset, defineDefinitions } from 'strata-engine'\nexport const a = asset({ key: 'a', compute: () => 1 })\nexport const b = asset({ key: 'b', group: 'more', ins: { a }, compute: (_c, { a }) => a + 1 })\nexport default defineDefinitions({ assets: [a, b] })\n`)
    await ui.press('R')
    f = await ui.waitFor(/○ b/, 'the added asset after a second reload')
    assert.match(f, /Reloaded 2 asset\(s\)/)
    assert.match(f, /▾ more/)
  })

  it('an engine error from an action shows in the status line and the UI goes on', async () => {
    const { ui, model } = await start()
    // Materializing report before its upstream exists fails inside the engine (missing input), not the UI.
    model.materialize({ key: 'nope' })
    let f = await ui.waitFor(/✗ .*No asset with key "nope"|unknown asset "nope"/, 'the engine error')
    assert.match(f, /STRATA_UNKNOWN_ASSET/)
    await ui.press('j', 'j') // over the work group's header
    f = ui.frame()
    assert.match(f, /› ○ slow|› ○ report|› ○ broken/)
  })
})
