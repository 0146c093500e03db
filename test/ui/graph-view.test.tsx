// The graph view in the App (ink-testing-library frames): `g` opens it on the
// selected asset, arrows walk along edges, Enter opens details, `a` and +/-
// change what is drawn, groups collapse past 60 assets, `g`/Esc go back.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FakeModel } from './fake-model.js'
import { flightsAssets, layeredAssets } from './graph-fixtures.js'
import { columns, traceEdges } from './graph-trace.js'
import { KEY, renderApp, selectedKey } from './helpers.js'

const NOW = 1_700_000_000_000

/** The selected node, as the line under the graph names it. */
const focusOf = (frame: string) => /^(?:[●◐○▶✗] )?(\S+) (?:fresh|stale|missing|running|failed)\s+←/m.exec(frame)?.[1]
/** The canvas: the lines between the header and the `Graph ·` line. */
const canvas = (lines: string[]) => lines.slice(1, lines.findIndex((l) => l.startsWith('Graph ·')))

describe('graph view', () => {
  it('g draws the diamond with its edges and the selected asset highlighted; g goes back to the list', async () => {
    const ui = renderApp(
      new FakeModel([
        { key: 'a', group: 'g', status: 'FRESH', materializedAt: NOW },
        { key: 'b', group: 'g', status: 'STALE', upstream: ['a'] },
        { key: 'c', group: 'g', status: 'MISSING', upstream: ['a'] },
        { key: 'd', group: 'g', status: 'FAILED', upstream: ['b', 'c'] },
      ]),
      { now: NOW, width: 80, height: 14 },
    )
    await ui.press('j', 'g')
    const lines = ui.lines()
    assert.deepEqual(canvas(lines).slice(0, 3).map((l) => l.trimEnd()), ['     ┌─▶ ◐ b ─┐', '● a ─┤        ├─▶ ✗ d', '     └─▶ ○ c ─┘'])
    assert.deepEqual(traceEdges(canvas(lines), ['a', 'b', 'c', 'd']), ['a -> b', 'a -> c', 'b -> d', 'c -> d'])
    assert.match(ui.frame(), /Graph · all 4 assets/)
    assert.equal(focusOf(ui.frame()), 'b', 'opens on the asset selected in the list')
    assert.match(ui.frame(), /← a {2}→ d/)
    assert.match(ui.frame(), /←\/→ upstream\/downstream/)
    await ui.press(KEY.down)
    assert.equal(focusOf(ui.frame()), 'c', '↓ moves down the column')
    await ui.press('g')
    assert.doesNotMatch(ui.frame(), /Graph ·/)
    assert.equal(selectedKey(ui.frame()), 'c', 'the list selects what the graph had selected')
  })

  it('walks the flights graph from raw/flights to models/flight_delay with the arrow keys', async () => {
    const ui = renderApp(new FakeModel(flightsAssets(NOW)), { now: NOW, width: 160, height: 40 })
    await ui.press('j', 'j', 'g')
    assert.equal(focusOf(ui.frame()), 'raw/flights')
    assert.match(ui.frame(), /Graph · all 16 assets/)
    assert.match(ui.frame(), /─ same day, -7\.\.-1 da… ─▶ ◐ features\/flights/, 'the partitioned edge is labelled')
    assert.match(ui.frame(), /→ features\/flights \(same day, -7\.\.-1 days\)/)
    const path = ['raw/flights']
    for (const key of [KEY.right, KEY.right, KEY.right, KEY.right, KEY.right]) {
      await ui.press(key)
      path.push(focusOf(ui.frame())!)
    }
    // Each step goes to the nearest downstream: in the next column, then the nearest row.
    assert.deepEqual(path, ['raw/flights', 'features/flights', 'training/dataset', 'training/model', 'evaluation/report', 'models/flight_delay'])
    assert.match(ui.frame(), /✗ models\/flight_delay failed\s+← training\/model, evaluation\/report, training\/dataset/)
    assert.ok(canvas(ui.lines()).some((l) => l.includes('✗ models/flight_delay')), 'the view scrolled to the selected asset')
    await ui.press(KEY.left)
    assert.equal(focusOf(ui.frame()), 'evaluation/report', '← goes back upstream')
    await ui.press(KEY.enter)
    assert.match(ui.frame(), /◐ evaluation\/report\s+STALE/, 'Enter opens the detail view of the selected asset')
    assert.doesNotMatch(ui.frame(), /Graph ·/)
  })

  it('says when there is nothing further along an edge', async () => {
    const ui = renderApp(new FakeModel(flightsAssets(NOW)), { now: NOW, width: 160, height: 40 })
    await ui.press('g', KEY.left)
    assert.equal(focusOf(ui.frame()), 'source/flights_file')
    assert.match(ui.frame(), /source\/flights_file: no upstream in the graph\./)
  })

  it('shows the neighbourhood on `a` and changes its depth with +/-', async () => {
    const ui = renderApp(new FakeModel(flightsAssets(NOW)), { now: NOW, width: 160, height: 40 })
    await ui.press('j', 'j', 'g', KEY.right, 'a')
    assert.equal(focusOf(ui.frame()), 'features/flights')
    assert.match(ui.frame(), /Graph · around features\/flights: 2 steps up and down \(\+\/- more\) · 12 nodes/)
    const names = flightsAssets(NOW).map((a) => a.key)
    let shown = columns(canvas(ui.lines()), names)
    assert.deepEqual(shown[0], ['landing/flights'], 'two steps up')
    assert.ok(!shown.flat().includes('source/flights_file'), 'three steps up')
    assert.ok(shown.flat().includes('training/model'), 'two steps down')
    await ui.press('-')
    shown = columns(canvas(ui.lines()), names)
    assert.match(ui.frame(), /around features\/flights: 1 step up and down/)
    assert.deepEqual(shown[0], ['raw/flights'])
    assert.ok(!shown.flat().includes('training/model'))
    await ui.press('+', '+')
    // Three steps up reach source/flights_file; nothing new three steps down.
    assert.match(ui.frame(), /around features\/flights: 3 steps up and down \(\+\/- more\) · 13 nodes/)
    await ui.press('a')
    assert.match(ui.frame(), /Graph · all 16 assets/)
  })

  it('with 1,000 assets opens on the neighbourhood, collapses groups for the whole graph, and expands one on Enter', async () => {
    const assets = layeredAssets(1000, 10)
    const ui = renderApp(new FakeModel(assets), { now: NOW, width: 160, height: 40 })
    await ui.press('g')
    assert.match(ui.frame(), /Graph · around g0\/a00000: 2 steps up and down \(\+\/- more\) · \d+ nodes/)
    const nodes = Number(/· (\d+) nodes/.exec(ui.frame())![1])
    assert.ok(nodes > 1 && nodes <= 60, `${nodes} nodes`)
    await ui.press('a')
    assert.match(ui.frame(), /Graph · 1000 assets, 10 groups collapsed/)
    assert.match(ui.frame(), /[●◐○✗▶] \[group0\] 100 assets/)
    assert.match(ui.frame(), /group group0 stale {2}100 assets \(Space shows them\)/)
    await ui.press(KEY.enter)
    assert.match(ui.frame(), /Graph · 1000 assets, 9 groups collapsed/)
    assert.equal(focusOf(ui.frame()), 'g0/a00000', 'the group opens on its first asset')
    await ui.press(' ')
    assert.match(ui.frame(), /10 groups collapsed/, 'Space folds the group again')
  })

  it('g does nothing before the definitions are loaded', async () => {
    class Loading extends FakeModel {
      override graphData() {
        return undefined as never
      }
    }
    const ui = renderApp(new Loading(flightsAssets(NOW)), { now: NOW, width: 160, height: 40 })
    await ui.press('g')
    assert.doesNotMatch(ui.frame(), /Graph ·/)
    await ui.press('j')
    assert.equal(selectedKey(ui.frame()), 'landing/flights', 'keys still move the list')
  })

  it('Esc closes the graph; the help lists its keys', async () => {
    const ui = renderApp(new FakeModel(flightsAssets(NOW)), { now: NOW, width: 160, height: 45 })
    await ui.press('g', KEY.escape)
    assert.doesNotMatch(ui.frame(), /Graph ·/)
    await ui.press('?')
    assert.match(ui.frame(), /Graph \(g opens it on the selected asset; g or Esc goes back\)/)
    assert.match(ui.frame(), /←\/→\s+move along an edge to the nearest upstream \/ downstream asset/)
  })
})
