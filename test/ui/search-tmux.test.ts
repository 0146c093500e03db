// End to end on the flights example in a real terminal (tmux, 160×45, a fresh
// state directory): `/drift` finds monitoring/drift, a group folds, a mouse
// click selects (the terminal reports the mouse while the UI runs, and no
// longer after it quits), and Enter in the runs view opens a step's whole log.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { tmuxDriver } from './tmux-driver.js'
import { REPO_ROOT, STRATA_BIN } from '../integration/helpers.js'

const SOCKET = `strata-search-test-${process.pid}`
const SESSION = 'search'
const { tmux, waitForScreen, keys } = tmuxDriver(SOCKET, SESSION)

/** Whether the program in the pane has asked for mouse reports (xterm mode 1000, SGR coordinates). */
const mouseOn = () => tmux('display-message', '-p', '-t', SESSION, '#{mouse_standard_flag}#{mouse_sgr_flag}').trim() === '11'

describe('strata ui search, folding, mouse and logs in tmux', () => {
  let home: string
  before(() => {
    const probe = spawnSync('tmux', ['-V'], { encoding: 'utf8' })
    if (probe.error || probe.status !== 0) assert.fail('tmux is not installed, and the end-to-end test of strata ui needs it: install it with apt-get install -y tmux (.ci/run does this).')
    home = mkdtempSync(join(tmpdir(), 'strata-search-'))
  })
  after(() => {
    const socket = spawnSync('tmux', ['-L', SOCKET, 'display-message', '-p', '#{socket_path}'], { encoding: 'utf8' }).stdout?.trim()
    spawnSync('tmux', ['-L', SOCKET, 'kill-server'])
    if (socket) rmSync(socket, { force: true })
    rmSync(home, { recursive: true, force: true })
  })

  it('searches drift, folds a group, selects with a click and opens the whole log of a step', async () => {
    const command = `env -u STRATA_HOME -u CI node ${STRATA_BIN} ui -f examples/flights/definitions.ts --home ${home}; echo "strata ui exited with $?"; sleep 600`
    tmux('new-session', '-d', '-x', '160', '-y', '45', '-s', SESSION, '-c', REPO_ROOT, command)
    await waitForScreen([/16 assets/, /^› ○ source\/flights_file/m], 'the flights assets in the list', 60_000)
    assert.ok(mouseOn(), 'the UI turns mouse reporting on')

    keys('/')
    keys('-l', 'drift')
    let s = await waitForScreen([/^\/drift▏\s+\d+ match(es)? · search/m, /^› ○ monitoring\/drift/m], 'monitoring/drift found and selected')
    assert.doesNotMatch(s, /Did you mean/)
    keys('Enter', 'Escape')
    s = await waitForScreen(/▾ monitoring\s+6 assets/, 'the grouped list back')

    // The cursor goes up from monitoring/drift to the group's header, which folds.
    keys('k', 'k', 'k', 'k')
    await waitForScreen(/^› ▾ monitoring/m, 'the cursor on the monitoring header')
    keys('Enter')
    s = await waitForScreen(/^› ▸ monitoring\s+6 assets, 6 not fresh/m, 'monitoring folded')
    assert.doesNotMatch(s, /monitoring\/drift/)

    // Clicks on the third and fourth screen rows: the list's second and third lines.
    const click = (row: number) => keys('-l', `\u001B[<0;10;${row}M\u001B[<0;10;${row}m`)
    click(3)
    await waitForScreen(/^› ○ source\/flights_file/m, 'source/flights_file selected by a click')
    keys('m')
    await waitForScreen(/● source\/flights_file/, 'source/flights_file observed', 60_000)
    click(4)
    await waitForScreen(/^› ○ landing\/flights/m, 'landing/flights selected by a click')
    keys('m')
    await waitForScreen(/● landing\/flights/, 'landing/flights materialized', 120_000)
    keys('r')
    await waitForScreen(/⏎ whole log/, 'the runs view')
    keys('Enter')
    s = await waitForScreen([/^✓ landing\/flights\s+run [0-9a-f]{8} · lines 1–2 of 2 · following/m, /info  landed 3,000,000 rows/], 'the whole log of landing/flights')
    assert.match(s, /warn  6 rows dated .* are outside every daily partition/)
    keys('Escape')
    await waitForScreen(/Steps of run/, 'back in the runs view')

    keys('q')
    await waitForScreen(/strata ui exited with 0/, 'the UI to quit with exit code 0')
    assert.ok(!mouseOn(), 'mouse reporting is off again after the UI quits')
  })
})
