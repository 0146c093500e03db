// Folding groups in the asset list (Enter/Space on a header, ←/→, z for all)
// and the mouse (wheel scrolls, a click selects), through the rendered app.
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { cleanup, render } from 'ink-testing-library'
import { createElement } from 'react'
import { MOUSE_OFF, MOUSE_ON, parseMouse, useMouseReporting } from '../../ui-terminal/app/mouse.js'
import { FakeModel, fakeAssets, type FakeAsset } from './fake-model.js'
import { KEY, renderApp, selectedKey } from './helpers.js'

afterEach(() => cleanup())

const NOW = Date.UTC(2024, 5, 1, 12)

const SMALL: FakeAsset[] = [
  { key: 'raw/a', group: 'raw', status: 'FRESH', materializedAt: NOW - 60_000 },
  { key: 'raw/b', group: 'raw', status: 'STALE', materializedAt: NOW - 60_000, upstream: ['raw/a'] },
  { key: 'mid/c', group: 'mid', status: 'MISSING', upstream: ['raw/b'] },
  { key: 'mid/d', group: 'mid', status: 'FRESH', materializedAt: NOW - 60_000 },
  { key: 'top/e', group: 'top', status: 'FAILED', materializedAt: NOW - 60_000, upstream: ['mid/c', 'mid/d'] },
]

/** The list column's lines: headers as `▾ name` / `▸ name`, assets by key; the cursor's line starts with ›. */
function listLines(frame: string): string[] {
  return frame
    .split('\n')
    .slice(1)
    .map((l) => /^(› )?([▾▸] \S+)/.exec(l)?.[2] ?? /^[› ] [●◐○▶✗] (\S+)/.exec(l)?.[1])
    .filter((x): x is string => x !== undefined)
}

/** An SGR mouse report: button code, 1-based column and row. */
const mouse = (code: number, x: number, y: number, release = false) => `\u001B[<${code};${x};${y}${release ? 'm' : 'M'}`

describe('folding groups', () => {
  it('Enter and Space on a group header fold and unfold it; the detail pane describes the group', async () => {
    const ui = renderApp(new FakeModel(SMALL), { now: NOW })
    await ui.press('j', 'j')
    assert.equal(selectedKey(ui.frame()), 'mid', 'the cursor is on the mid header')
    assert.match(ui.frame(), /▾ group mid[\s\S]*2 assets, 1 not fresh[\s\S]*Enter or Space folds it/)
    await ui.press(KEY.enter)
    assert.deepEqual(listLines(ui.frame()), ['▾ raw', 'raw/a', 'raw/b', '▸ mid', '▾ top', 'top/e'])
    assert.match(ui.frame(), /^› ▸ mid\s+2 assets, 1 not fresh/m, 'a folded header keeps its counts')
    // Moving over a folded group goes from its header to the next group.
    await ui.press('j')
    assert.equal(selectedKey(ui.frame()), 'top')
    await ui.press('k', ' ')
    assert.deepEqual(listLines(ui.frame()), ['▾ raw', 'raw/a', 'raw/b', '▾ mid', 'mid/c', 'mid/d', '▾ top', 'top/e'])
    await ui.press(KEY.left)
    assert.ok(listLines(ui.frame()).includes('▸ mid'), '← folds')
    await ui.press(KEY.right)
    assert.ok(listLines(ui.frame()).includes('▾ mid'), '→ unfolds')
  })

  it('z folds every group and unfolds them all again, the cursor staying on its group', async () => {
    const ui = renderApp(new FakeModel(SMALL), { now: NOW })
    await ui.press('j', 'j', 'j', 'j')
    assert.equal(selectedKey(ui.frame()), 'mid/d')
    await ui.press('z')
    assert.deepEqual(listLines(ui.frame()), ['▸ raw', '▸ mid', '▸ top'])
    assert.equal(selectedKey(ui.frame()), 'mid', 'the cursor moves to the header of the asset it was on')
    await ui.press('j', KEY.enter)
    assert.deepEqual(listLines(ui.frame()), ['▸ raw', '▸ mid', '▾ top', 'top/e'], 'one group opened again')
    await ui.press('z')
    assert.deepEqual(listLines(ui.frame()), ['▸ raw', '▸ mid', '▸ top'], 'with some open, z folds all')
    await ui.press('z')
    assert.deepEqual(listLines(ui.frame()), ['▾ raw', 'raw/a', 'raw/b', '▾ mid', 'mid/c', 'mid/d', '▾ top', 'top/e'])
    assert.equal(selectedKey(ui.frame()), 'top')
    // Folding keeps to the grouped list: the help and the footer say how.
    assert.match(ui.lines().at(-1)!, /⏎\/Space fold\s+z fold all/)
  })

  it('a filter narrows the groups it keeps, folded or not', async () => {
    const ui = renderApp(new FakeModel(SMALL), { now: NOW })
    await ui.press('z', '/')
    await ui.type('group:raw group:top')
    await ui.press(KEY.enter)
    assert.deepEqual(listLines(ui.frame()), ['▸ raw', '▸ top'])
  })
})

describe('the mouse', () => {
  it('parses SGR reports: presses, releases and the wheel, 0-based', () => {
    assert.deepEqual(parseMouse('[<0;10;5M'), { kind: 'press', button: 0, x: 9, y: 4 })
    assert.deepEqual(parseMouse('\u001B[<0;10;5m'), { kind: 'release', button: 0, x: 9, y: 4 })
    assert.deepEqual(parseMouse('[<64;3;4M'), { kind: 'wheelUp', button: 0, x: 2, y: 3 })
    assert.deepEqual(parseMouse('[<65;3;4M'), { kind: 'wheelDown', button: 1, x: 2, y: 3 })
    assert.deepEqual(parseMouse('[<2;1;1M'), { kind: 'press', button: 2, x: 0, y: 0 })
    assert.equal(parseMouse('j'), undefined)
    assert.equal(parseMouse('[A'), undefined)
  })

  it('turns reporting on while mounted and off when unmounted', () => {
    const written: string[] = []
    const stdout = { write: (s: string) => (written.push(s), true) } as unknown as NodeJS.WriteStream
    function Probe() {
      useMouseReporting(stdout)
      return null
    }
    const r = render(createElement(Probe))
    assert.deepEqual(written, [MOUSE_ON])
    r.unmount()
    assert.deepEqual(written, [MOUSE_ON, MOUSE_OFF])
  })

  it('the wheel scrolls the list, keeping the cursor in view; a click selects the line clicked', async () => {
    const ui = renderApp(new FakeModel(fakeAssets(200, 4, NOW)), { height: 20, now: NOW })
    const firstRow = () => listLines(ui.frame())[0]
    assert.equal(firstRow(), '▾ group0')
    assert.equal(selectedKey(ui.frame()), 'g0/a00000')
    await ui.press(mouse(65, 5, 5))
    assert.equal(firstRow(), 'g0/a00008', 'three lines down: the header and two rows went')
    assert.equal(selectedKey(ui.frame()), 'g0/a00008', 'the cursor moved with the window, to its first line')
    await ui.press(mouse(65, 5, 5))
    assert.equal(selectedKey(ui.frame()), 'g0/a00020')
    await ui.press(mouse(64, 5, 5))
    assert.equal(firstRow(), 'g0/a00008', 'back up three lines')
    assert.equal(selectedKey(ui.frame()), 'g0/a00020', 'the cursor stays where it is while it is in view')
    // Row 2 of the screen is the list's first line (the header is row 1): row 8 is its seventh.
    await ui.press(mouse(0, 10, 8), mouse(0, 10, 8, true))
    assert.equal(selectedKey(ui.frame()), 'g0/a00032')
    // A click beside the list (in the detail pane) changes nothing; the keys go on from the clicked line.
    await ui.press(mouse(0, 80, 6), 'j')
    assert.equal(selectedKey(ui.frame()), 'g0/a00036')
  })

  it('a click on the list from the runs view gives it the keys again', async () => {
    const ui = renderApp(new FakeModel(SMALL), { now: NOW })
    await ui.press('r')
    assert.match(ui.lines().at(-1)!, /j\/k run/)
    await ui.press(mouse(0, 6, 4))
    assert.equal(selectedKey(ui.frame()), 'raw/b')
    assert.match(ui.lines().at(-1)!, /j\/k move/)
  })
})
