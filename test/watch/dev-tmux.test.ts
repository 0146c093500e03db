// End to end: the real `strata dev --auto` in a real terminal (tmux, 160×45)
// shows the Ink UI of strata ui with the dev events panel: the initial run,
// an edit of an imported module (reload, code change, rebuilt assets), a
// broken save (file:line, last good definitions kept), and q to quit.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { tmuxDriver } from '../ui/tmux-driver.js'
import { createProject, STRATA_BIN, type Project } from '../integration/helpers.js'

const SOCKET = `strata-dev-test-${process.pid}`
const SESSION = 'dev'

const { tmux, waitForScreen } = tmuxDriver(SOCKET, SESSION)

const raw = (values: string) => `import { asset } from 'strata-engine'\nexport const raw = asset({ key: 'raw', compute: () => [${values}] })\n`

describe('strata dev in tmux', () => {
  let project: Project
  before(() => {
    const probe = spawnSync('tmux', ['-V'], { encoding: 'utf8' })
    if (probe.error || probe.status !== 0) assert.fail('tmux is not installed, and the end-to-end test of strata dev needs it: install it with apt-get install -y tmux (.ci/run does this).')
    project = createProject(
      `import { asset, defineDefinitions } from 'strata-engine'
import { raw } from './assets/raw.js'
export const doubled = asset({ key: 'doubled', ins: { raw }, compute: (_ctx, { raw }) => raw.map((x) => x * 2) })
export default defineDefinitions({ assets: [raw, doubled] })
`,
      { 'assets/raw.ts': raw('1, 2, 3') },
    )
  })
  after(() => {
    const socket = spawnSync('tmux', ['-L', SOCKET, 'display-message', '-p', '#{socket_path}'], { encoding: 'utf8' }).stdout?.trim()
    spawnSync('tmux', ['-L', SOCKET, 'kill-server'])
    if (socket) rmSync(socket, { force: true })
    project?.cleanup()
  })

  it('shows the UI with live dev events: initial run, reload after an edit with the rebuilt asset, a broken save', { timeout: 40_000 }, async () => {
    const command = `env -u STRATA_HOME -u CI node ${STRATA_BIN} dev --auto --debounce 100 --concurrency 2; echo "strata dev exited with $?"; sleep 600`
    tmux('new-session', '-d', '-x', '160', '-y', '45', '-s', SESSION, '-c', project.dir, command)
    let s = await waitForScreen(
      [/definitions\.ts\s+\(strata dev --auto\)\s+2 assets/, /Dev events/, /watching 2 file\(s\): definitions\.ts, assets\/raw\.ts/, /loaded definitions\.ts \(2 assets/, /run succeeded in .*: 2 materialized/, /● raw/, /● doubled/, /q quit/],
      'the asset list, fresh after the initial run, and the dev events',
    )
    const firstRun = /run ([0-9a-f]{8}): 2\/2 step\(s\) done/.exec(s)?.[1]
    assert.ok(firstRun, 'the progress line of the initial run')

    project.write('assets/raw.ts', raw('1, 2, 3, 4'))
    s = await waitForScreen(
      [/reloaded definitions\.ts \(2 assets, .*\) after assets\/raw\.ts changed/, /raw: code changed: compute/, /stale: raw, doubled \(2 of 2\)/, new RegExp(`run (?!${firstRun})([0-9a-f]{8}): 2/2 step\\(s\\) done`)],
      'the reload, the code change and the rebuild',
    )
    const secondRun = new RegExp(`run (?!${firstRun})([0-9a-f]{8}): 2/2 step\\(s\\) done`).exec(s)![1]!
    // The rebuilt asset, read from storage: select doubled and see its last run.
    tmux('send-keys', '-t', SESSION, 'j')
    s = await waitForScreen([/^› ● doubled/m, new RegExp(`last run ${secondRun}`)], 'doubled rebuilt by the second run')

    project.write('assets/raw.ts', `import { asset } from 'strata-engine'\nexport const raw = asset({ key: 'raw', compute: () => [1, 2 })\n`)
    s = await waitForScreen(/reload failed: assets\/raw\.ts:2:\d+ .*keeping the last good definitions/, 'the broken save reported with file:line')
    assert.match(s, /● raw[\s\S]*● doubled/, 'the last good definitions stay, fresh')

    tmux('send-keys', '-t', SESSION, 'q')
    await waitForScreen(/strata dev exited with 0/, 'strata dev to quit with exit code 0')
  })
})
