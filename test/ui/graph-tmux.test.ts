// End to end: the graph view of the real `strata ui` on the flights example,
// in a real terminal (tmux, 160×45), with a fresh state directory. `g` opens
// the graph; the arrow keys walk from raw/flights to models/flight_delay.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { tmuxDriver } from './tmux-driver.js'
import { REPO_ROOT, STRATA_BIN } from '../integration/helpers.js'

const SOCKET = `strata-graph-test-${process.pid}`
const SESSION = 'graph'
const { tmux, waitForScreen, keys } = tmuxDriver(SOCKET, SESSION)

/** The selected node, as the line under the graph names it. */
const focusLine = (name: string) => new RegExp(`^[●◐○▶✗] ${name.replace('/', '\\/')} (?:fresh|stale|missing|running|failed)\\s+←`, 'm')

describe('strata ui graph view in tmux', () => {
  let home: string
  before(() => {
    const probe = spawnSync('tmux', ['-V'], { encoding: 'utf8' })
    if (probe.error || probe.status !== 0) assert.fail('tmux is not installed, and the end-to-end test of strata ui needs it: install it with apt-get install -y tmux (.ci/run does this).')
    home = mkdtempSync(join(tmpdir(), 'strata-graph-'))
  })
  after(() => {
    const socket = spawnSync('tmux', ['-L', SOCKET, 'display-message', '-p', '#{socket_path}'], { encoding: 'utf8' }).stdout?.trim()
    spawnSync('tmux', ['-L', SOCKET, 'kill-server'])
    if (socket) rmSync(socket, { force: true })
    rmSync(home, { recursive: true, force: true })
  })

  it('opens the flights graph with g and walks from raw/flights to models/flight_delay', async () => {
    const command = `env -u STRATA_HOME -u CI node ${STRATA_BIN} ui -f examples/flights/definitions.ts --home ${home}; echo "strata ui exited with $?"; sleep 600`
    tmux('new-session', '-d', '-x', '160', '-y', '45', '-s', SESSION, '-c', REPO_ROOT, command)
    await waitForScreen([/16 assets/, /^› ○ source\/flights_file/m], 'the flights assets in the list', 60_000)

    keys('g')
    let s = await waitForScreen([/Graph · all 16 assets/, focusLine('source/flights_file')], 'the graph on the selected asset')
    assert.match(s, /○ source\/flights_file ───▶ ○ landing\/flights ───▶ ○ raw\/flights/)
    keys('Right', 'Right')
    s = await waitForScreen(focusLine('raw/flights'), 'raw/flights selected')
    assert.match(s, /─ same day, -7\.\.-1 da… ─▶ ○ features\/flights/, 'the partitioned edge is labelled with its mapping')

    const path = ['raw/flights']
    for (let i = 0; i < 8 && path[path.length - 1] !== 'models/flight_delay'; i++) {
      const before = path[path.length - 1]!
      keys('Right')
      const moved = new RegExp(`^[●◐○▶✗] (?!${before.replace('/', '\\/')} )\\S+ (?:fresh|stale|missing|running|failed)\\s+←`, 'm')
      s = await waitForScreen(moved, `a move on from ${before}`)
      path.push(/^[●◐○▶✗] (\S+) (?:fresh|stale|missing|running|failed)\s+←/m.exec(s)![1]!)
    }
    assert.deepEqual(path, ['raw/flights', 'features/flights', 'training/dataset', 'training/model', 'evaluation/report', 'models/flight_delay'])
    assert.match(s, /○ models\/flight_delay missing\s+← training\/model, evaluation\/report, training\/dataset\s+→ monitoring\/reference/)

    keys('g')
    s = await waitForScreen(/^› ○ models\/flight_delay/m, 'back in the list on the asset the graph selected')
    keys('q')
    await waitForScreen(/strata ui exited with 0/, 'the UI to quit with exit code 0')
  })
})
