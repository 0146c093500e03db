// Backfills in the UI over a real workspace: a range picked on the partition
// bar and launched with b; a `strata backfill` of another process followed
// live with its progress, then canceled from the UI with c.
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { cleanup } from 'ink-testing-library'
import { workspaceOpener } from '../../ui-terminal/app/workspace-loader.js'
import { WorkspaceModel } from '../../ui-terminal/app/workspace-model.js'
import { createProject, type Project } from '../integration/helpers.js'
import { KEY, renderApp, type Rendered } from './helpers.js'

const DEFS = `import { asset, defineDefinitions, dailyPartitions } from 'strata-engine'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
export const days = asset({
  key: 'days',
  group: 'raw',
  partitions: dailyPartitions({ start: '2024-01-01', end: '2024-01-11' }),
  compute: async (ctx) => {
    ctx.log.info('loading ' + ctx.partitionKey)
    await sleep(Number(process.env.UI_TEST_SLOW_MS ?? 30))
    return { day: ctx.partitionKey }
  },
})
export default defineDefinitions({ assets: [days] })
`

const open: Array<{ project: Project; model: WorkspaceModel }> = []

async function start(): Promise<{ project: Project; ui: Rendered }> {
  const project = createProject(DEFS)
  const model = new WorkspaceModel({ open: workspaceOpener({ cwd: project.dir }), title: 'backfill-test', executor: 'in-process' })
  open.push({ project, model })
  await model.start()
  const ui = renderApp(model, { width: 140, height: 40 })
  await ui.waitFor(/○ days/, 'the partitioned asset')
  return { project, ui }
}

afterEach(async () => {
  cleanup()
  for (const { project, model } of open.splice(0)) {
    await model.close({ cancelRuns: true })
    project.cleanup()
  }
})

describe('backfills in the UI', () => {
  it('b backfills the range picked with Shift+←; the runs pane shows it and the bar turns green', async () => {
    const { ui } = await start()
    let f = ui.frame()
    assert.match(f, /Partitions 10 · daily/)
    assert.match(f, /cursor 2024-01-10\s+░ missing/)
    await ui.press(KEY.shiftLeft, KEY.shiftLeft, KEY.shiftLeft, KEY.shiftLeft)
    assert.match(ui.frame(), /range 2024-01-06 … 2024-01-10\s+5 partition\(s\)/)
    await ui.press('b')
    await ui.waitFor(/Backfill [0-9a-f]{8} started: days 2024-01-06\.\.2024-01-10\./, 'the backfill to start')
    await ui.press('r')
    f = await ui.waitFor(/✓ backfill [0-9a-f]{8} days 2024-01-06\.\.2024-01-10\s+completed 5\/5 · \d+s ago/, 'the backfill to complete', 20_000)
    assert.match(f, /Backfill [0-9a-f]{8} completed success: 5 done, 0 up to date, 0 failed, 0 skipped, 0 remaining\./)
    await ui.press('r')
    f = await ui.waitFor(/█ 5 materialized\s+░ 5 missing/, 'the partition counts after the backfill')
    assert.match(f, /^› ○ days\s+\d+s ago █████░░░░░ /m, 'the row\'s counts bar: half materialized')
    assert.match(f, / ░░░░░█████\n/, 'the timeline: the first five days missing, the last five materialized')
  })

  it('follows a `strata backfill` of another process live, and c cancels it', async () => {
    const { project, ui } = await start()
    const child = project.start(['backfill', 'days', '--from', '2024-01-01', '--to', '2024-01-10', '--executor', 'in-process'], { env: { UI_TEST_SLOW_MS: '600' } })
    await ui.press('r')
    let f = await ui.waitFor(/▶ backfill [0-9a-f]{8} days 2024-01-01\.\.2024-01-10 .*[0-9]+\/10/, 'the live backfill with its progress', 15_000)
    f = await ui.waitFor(/▶ days\[2024-01-0\d\]\s+running/, 'a running step of its run')
    await ui.waitFor(/[1-9]\/10/, 'progress to move')
    assert.doesNotMatch(f, /▶ [0-9a-f]{8} backfill/, 'the backfill\'s run is shown under the backfill, not as its own entry')
    assert.match(f, /Steps of run [0-9a-f]{8} 10 step\(s\)/)
    await ui.press('c')
    await ui.waitFor(/Cancel requested: backfill [0-9a-f]{8} stops after its running steps\./, 'the cancel request')
    const result = await child.result
    assert.equal(result.code, 1, `a canceled backfill exits 1:\n${result.stdout}\n${result.stderr}`)
    assert.match(result.stdout, /CANCELED/)
    f = await ui.waitFor(/⊘ backfill [0-9a-f]{8} days 2024-01-01\.\.2024-01-10\s+canceled [0-9]+\/10 · \d+s ago/, 'the canceled backfill in history')
    assert.match(f, /⊘ days\[2024-01-10\]\s+canceled|· days\[2024-01-10\]\s+pending/)
  })
})
