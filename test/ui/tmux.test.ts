// End to end: the real `strata ui` in a real terminal (tmux, 160×45) on a temp
// copy of the hello example. Keys go in with send-keys, the screen comes back
// with capture-pane, polled until it shows what is expected.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { tmuxDriver } from './tmux-driver.js'
import { createProject, REPO_ROOT, STRATA_BIN, type Project } from '../integration/helpers.js'

const SOCKET = `strata-ui-test-${process.pid}`
const SESSION = 'ui'

const { tmux, waitForScreen, keys } = tmuxDriver(SOCKET, SESSION)


describe('strata ui in tmux', () => {
  let project: Project
  before(() => {
    const probe = spawnSync('tmux', ['-V'], { encoding: 'utf8' })
    if (probe.error || probe.status !== 0) {
      assert.fail('tmux is not installed, and the end-to-end test of strata ui needs it: install it with apt-get install -y tmux (.ci/run does this).')
    }
    project = createProject(readFileSync(join(REPO_ROOT, 'examples/hello/definitions.ts'), 'utf8'))
  })
  after(() => {
    const socket = spawnSync('tmux', ['-L', SOCKET, 'display-message', '-p', '#{socket_path}'], { encoding: 'utf8' }).stdout?.trim()
    spawnSync('tmux', ['-L', SOCKET, 'kill-server'])
    if (socket) rmSync(socket, { force: true })
    project?.cleanup()
  })

  it('materializes an asset with m and shows it fresh, follows the run, quits with q', async () => {
    // A shell keeps the pane open after the UI exits so its exit code can be read.
    const command = `env -u STRATA_HOME -u CI node ${STRATA_BIN} ui; echo "strata ui exited with $?"; sleep 600`
    tmux('new-session', '-d', '-x', '160', '-y', '45', '-s', SESSION, '-c', project.dir, command)
    let s = await waitForScreen(
      [/○ summary/, /strata ui\s+definitions\.ts\s+4 assets\s+○ 4/, /▾ raw\s+1 asset, 1 not fresh/, /^› ○ raw\/numbers/m, /The integers 1\.\.10/, /Why missing/, /q quit/],
      'the asset list with the detail pane',
    )
    assert.ok(s.split('\n').length >= 44, 'the UI fills the 45-line terminal')

    keys('m')
    s = await waitForScreen([/^› ● raw\/numbers\s+\d+s ago/m, /Run [0-9a-f]{8} succeeded in [0-9.]+ s: 1 materialized\./], 'raw/numbers fresh and the run result in the status line')
    assert.match(s, /○ derived\/squares/, 'downstream still missing')

    // Everything downstream (over the derived group's header), then the runs pane.
    keys('j', 'j', 'M')
    s = await waitForScreen(/● derived\/squares/, 'derived/squares fresh')
    keys('s')
    s = await waitForScreen(/● summary/, 'summary fresh after s (all stale)')
    keys('r')
    s = await waitForScreen([/History \(3\)/, /✓ [0-9a-f]{8} raw\/numbers\s+1 step\(s\)/], 'three runs in history')

    keys('q')
    s = await waitForScreen(/strata ui exited with 0/, 'the UI to quit with exit code 0')
  })
})
