// A failed last attempt in the UI over a real workspace: the asset list shows
// ✗, and the detail pane the failure (first line of the error, run, age) with
// the last good materialization kept; a later success clears it.
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, it } from 'node:test'
import { cleanup } from 'ink-testing-library'
import { workspaceOpener } from '../../ui-terminal/app/workspace-loader.js'
import { WorkspaceModel } from '../../ui-terminal/app/workspace-model.js'
import { createProject, type Project } from '../integration/helpers.js'
import { renderApp } from './helpers.js'

const DEFS = `import { existsSync } from 'node:fs'
import { asset, defineDefinitions } from 'strata-engine'
const FLAG = new URL('./fail.flag', import.meta.url)
export const source = asset({ key: 'source', group: 'raw', compute: () => [1, 2, 3] })
export const writer = asset({ key: 'writer', group: 'work', ins: { source }, compute: (_ctx, { source }) => {
  if (existsSync(FLAG)) throw new Error('disk full on /data\\n  at the second line')
  return source.length
} })
export default defineDefinitions({ assets: [source, writer] })
`

const open: Array<{ project: Project; model: WorkspaceModel }> = []

afterEach(async () => {
  cleanup()
  for (const h of open.splice(0)) {
    await h.model.close({ cancelRuns: true })
    h.project.cleanup()
  }
})

describe('a failed asset in the UI', () => {
  it('shows ✗ in the list and the failure in the detail pane, then FRESH after a success', async () => {
    const project = createProject(DEFS)
    const good = await project.ok(['materialize', '--json', '--executor', 'in-process'])
    const goodVersion = (good.json.steps as Array<{ key: string; dataVersion: string }>).find((s) => s.key === 'writer')!.dataVersion
    project.write('fail.flag', '')
    const bad = await project.ok(['materialize', 'writer', '--json', '--executor', 'in-process'], 1)
    const runId = bad.json.runId as string

    const model = new WorkspaceModel({ open: workspaceOpener({ cwd: project.dir }), title: 'failed-test', executor: 'in-process', pollMs: 200 })
    open.push({ project, model })
    await model.start()
    const ui = renderApp(model, { width: 120, height: 40 })
    await ui.waitFor(/✗ writer/, 'the failed asset in the list')
    assert.match(ui.frame(), /● source/)
    await ui.press('G') // the last row: writer
    const f = await ui.waitFor(/Last attempt failed/, 'the failure in the detail pane')
    assert.match(f, /✗ writer\s+FAILED/)
    assert.match(f, new RegExp(`Last attempt failed \\d+s ago · run ${runId.slice(0, 8)}`))
    assert.match(f, /disk full on \/data/)
    assert.doesNotMatch(f, /the second line/, 'only the first line of the error')
    assert.match(f, /The last good materialization is kept/)
    assert.match(f, /Logs: runs pane \(r\), Enter\s+there for the whole log\./, 'the hint is wrapped, not cut')
    assert.match(f, new RegExp(`data ${goodVersion.slice(0, 12)}`), 'the last good data version')

    rmSync(join(project.dir, 'fail.flag'))
    await project.ok(['materialize', '--stale', '--executor', 'in-process'])
    const fixed = await ui.waitFor(/● writer/, 'writer fresh after the rebuild')
    assert.doesNotMatch(fixed, /Last attempt failed/)
  })
})
