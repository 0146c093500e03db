// The asset list: grouping, glyphs, moving with j/k and arrows, the window
// scrolling, windowing with 10,000 assets, details, help and the footer.
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { cleanup } from 'ink-testing-library'
import { FakeModel, fakeAssets, type FakeAsset } from './fake-model.js'
import { KEY, renderApp, selectedKey } from './helpers.js'

afterEach(() => cleanup())

const NOW = Date.UTC(2024, 5, 1, 12)

const SMALL: FakeAsset[] = [
  { key: 'raw/a', group: 'raw', status: 'FRESH', materializedAt: NOW - 5 * 60_000 },
  { key: 'raw/b', group: 'raw', status: 'STALE', materializedAt: NOW - 2 * 3600_000, upstream: ['raw/a'] },
  { key: 'mid/c', group: 'mid', status: 'MISSING', upstream: ['raw/b'] },
  { key: 'mid/d', group: 'mid', status: 'RUNNING', materializedAt: NOW - 30_000 },
  { key: 'top/e', group: 'top', status: 'FAILED', materializedAt: NOW - 86400_000, upstream: ['mid/c', 'mid/d'] },
]

/** Asset rows (key → line) of the list column. */
function listRows(frame: string): string[] {
  return frame
    .split('\n')
    .map((l) => /^[› ] [●◐○▶✗] (\S+)/.exec(l)?.[1])
    .filter((k): k is string => k !== undefined)
}

describe('asset list', () => {
  it('groups assets under group headers with a status glyph and the materialization age', () => {
    const ui = renderApp(new FakeModel(SMALL), { now: NOW })
    const lines = ui.lines()
    const at = (text: string) => lines.findIndex((l) => l.includes(text))
    assert.ok(at('▾ raw') >= 0 && at('▾ mid') > at('▾ raw') && at('▾ top') > at('▾ mid'), `groups in order:\n${ui.frame()}`)
    assert.match(ui.frame(), /● raw\/a\s+5m ago/)
    assert.match(ui.frame(), /◐ raw\/b\s+2h ago/)
    assert.match(ui.frame(), /○ mid\/c\s+—/)
    assert.match(ui.frame(), /▶ mid\/d\s+30s ago/)
    assert.match(ui.frame(), /✗ top\/e\s+1d ago/)
    assert.match(ui.frame(), /▾ raw\s+2 assets, 1 not fresh/)
    assert.equal(selectedKey(ui.frame()), 'raw/a')
  })

  it('moves the selection with j/k and the arrow keys over rows and group headers, stopping at the ends', async () => {
    const ui = renderApp(new FakeModel(SMALL), { now: NOW })
    await ui.press('j')
    assert.equal(selectedKey(ui.frame()), 'raw/b')
    await ui.press(KEY.down)
    assert.equal(selectedKey(ui.frame()), 'mid', 'the cursor stops on the next group header')
    assert.match(ui.frame(), /^› ▾ mid\s+2 assets, 2 not fresh/m)
    await ui.press(KEY.down, KEY.down)
    assert.equal(selectedKey(ui.frame()), 'mid/d')
    await ui.press('k')
    assert.equal(selectedKey(ui.frame()), 'mid/c')
    await ui.press(KEY.up, KEY.up, KEY.up, KEY.up, KEY.up)
    assert.equal(selectedKey(ui.frame()), 'raw', 'stops at the first line, the first group header')
    await ui.press('G')
    assert.equal(selectedKey(ui.frame()), 'top/e')
    await ui.press('j', 'j')
    assert.equal(selectedKey(ui.frame()), 'top/e', 'stops at the last asset')
    await ui.press('<')
    assert.equal(selectedKey(ui.frame()), 'raw', 'the first line')
    // Keys typed faster than they are read come as one chunk: each counts.
    await ui.press('jjjj')
    assert.equal(selectedKey(ui.frame()), 'mid/c')
  })

  it('scrolls the window to keep the selection visible', async () => {
    const assets = fakeAssets(200, 4, NOW)
    const ui = renderApp(new FakeModel(assets), { height: 20, now: NOW })
    const first = listRows(ui.frame())
    assert.ok(first.length > 5 && first.length <= 17, `a window of rows, got ${first.length}:\n${ui.frame()}`)
    assert.equal(first[0], 'g0/a00000')
    const lastVisible = first[first.length - 1]!
    assert.match(ui.lines()[1]!, /▾ group0/)
    // Move one past the last visible row: the window scrolls by one line (the group header goes).
    for (let i = 0; i < first.length; i++) await ui.press('j')
    let rows = listRows(ui.frame())
    const sel = selectedKey(ui.frame())!
    assert.equal(rows[rows.length - 1], sel, `selection on the last visible line after scrolling:\n${ui.frame()}`)
    assert.doesNotMatch(ui.lines()[1]!, /▾ group0/)
    assert.equal(rows[0], 'g0/a00000')
    await ui.press(KEY.down)
    rows = listRows(ui.frame())
    assert.equal(rows[rows.length - 1], selectedKey(ui.frame()))
    assert.ok(!rows.includes('g0/a00000'), 'the first row scrolled out')
    assert.ok(rows.includes(lastVisible))
    // Page down, then back up to the top: the group header shows again.
    await ui.press(KEY.pageDown, KEY.pageDown)
    assert.ok(!listRows(ui.frame()).includes(lastVisible))
    await ui.press('<')
    assert.equal(listRows(ui.frame())[0], 'g0/a00000')
    assert.match(ui.lines()[1]!, /▾ group0/)
  })

  it('renders only the rows that fit with 10,000 assets', async () => {
    const model = new FakeModel(fakeAssets(10_000, 10, NOW))
    const ui = renderApp(model, { height: 30, now: NOW })
    const lines = ui.lines()
    assert.equal(lines.length, 30, 'the frame is exactly the given height')
    assert.ok(listRows(ui.frame()).length <= 26)
    await ui.press('G')
    assert.equal(selectedKey(ui.frame()), 'g9/a09999')
    assert.equal(ui.lines().length, 30)
    assert.match(ui.frame(), /10000 assets/)
  })

  it('Enter opens the full detail view, Esc goes back; ? shows the help', async () => {
    const ui = renderApp(new FakeModel(SMALL), { now: NOW })
    await ui.press('j', KEY.enter)
    let f = ui.frame()
    assert.ok(!/▾ raw/.test(f), `the list is hidden in the detail view:\n${f}`)
    assert.match(f, /◐ raw\/b\s+STALE/)
    assert.match(f, /Why stale/)
    assert.match(f, /• code version changed \(v0 → v1\)/)
    assert.match(f, /Esc back/)
    await ui.press('j')
    assert.match(ui.frame(), /○ mid\/c\s+MISSING/, 'j moves to the next asset in the detail view, over the group header')
    await ui.press(KEY.escape)
    f = ui.frame()
    assert.match(f, /▾ raw/)
    assert.equal(selectedKey(f), 'mid/c')
    await ui.press('?')
    assert.match(ui.frame(), /Strata UI: keys/)
    assert.match(ui.frame(), /Shift\+←\/→\s+select a range/)
    await ui.press('?')
    assert.doesNotMatch(ui.frame(), /Strata UI: keys/)
  })

  it('l toggles the lineage of the selected asset', async () => {
    const ui = renderApp(new FakeModel(SMALL), { now: NOW })
    await ui.press('G')
    assert.match(ui.frame(), /Lineage ↑ 2 upstream · ↓ 0 downstream/)
    await ui.press('l')
    const f = ui.frame()
    assert.match(f, /↑ ○ mid\/c/)
    assert.match(f, /↑ ▶ mid\/d/)
  })

  it('the footer lists the keys of the current view', async () => {
    const ui = renderApp(new FakeModel(SMALL), { width: 160, now: NOW })
    const footer = () => ui.lines()[ui.lines().length - 1]!
    assert.match(footer(), /j\/k move .*⏎ details .*\/ search .*e checks\+metadata .*m materialize .*M \+downstream .*s stale .*r runs .*q quit/)
    assert.doesNotMatch(footer(), /backfill|partition/, 'no partition keys for an unpartitioned asset')
    await ui.press('r')
    assert.match(footer(), /j\/k run .*←\/→ step .*c cancel/)
    await ui.press('r', '/')
    assert.match(footer(), /⏎ keep .*Esc cancel/)
  })

  it('q quits at once, or asks first while runs started here are going', async () => {
    let quits = 0
    const idle = renderApp(new FakeModel(SMALL), { now: NOW, onQuit: () => quits++ })
    await idle.press('q')
    assert.equal(quits, 1)
    idle.unmount()
    const busy = new FakeModel(SMALL)
    busy.ownActive = () => 2
    const ui = renderApp(busy, { now: NOW, onQuit: () => quits++ })
    await ui.press('q')
    assert.equal(quits, 1, 'the first q only warns')
    assert.match(ui.frame(), /2 run\(s\) started here are still going: press q again to cancel them and quit\./)
    await ui.press('j', 'q')
    assert.equal(quits, 1, 'another key disarms the confirmation')
    await ui.press('q')
    assert.equal(quits, 2)
  })

  it('shows dev events given as props in their own panel', () => {
    const ui = renderApp(new FakeModel(SMALL), { now: NOW, devEvents: [{ ts: NOW, level: 'info', message: 'definitions reloaded (5 assets)' }, { ts: NOW, level: 'error', message: 'load failed: SyntaxError' }] })
    assert.match(ui.frame(), /Dev events \(2\)/)
    assert.match(ui.frame(), /definitions reloaded \(5 assets\)/)
    assert.match(ui.frame(), /load failed: SyntaxError/)
    assert.equal(ui.lines().length, 30)
  })
})
