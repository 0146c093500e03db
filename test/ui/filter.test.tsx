// The `/` filter read as a selection (text with *, +, group: or tag:):
// resolved by the engine, narrowing as you type, inline errors for bad
// selections, Enter to keep and Esc to drop. Plain text searches: search.test.tsx.
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { cleanup } from 'ink-testing-library'
import { FakeModel, type FakeAsset } from './fake-model.js'
import { KEY, renderApp, selectedKey } from './helpers.js'

afterEach(() => cleanup())

const ASSETS: FakeAsset[] = [
  { key: 'raw/orders', group: 'raw', status: 'FRESH', materializedAt: 1 },
  { key: 'raw/customers', group: 'raw', status: 'FRESH', materializedAt: 1 },
  { key: 'features/daily', group: 'features', status: 'STALE', materializedAt: 1, upstream: ['raw/orders'] },
  { key: 'features/weekly', group: 'features', status: 'MISSING', upstream: ['features/daily'] },
  { key: 'model/train', group: 'model', status: 'MISSING', upstream: ['features/weekly', 'raw/customers'] },
  { key: 'report', group: 'reporting', status: 'MISSING', upstream: ['model/train'] },
]

const rowsOf = (frame: string) =>
  frame
    .split('\n')
    .map((l) => /^[› ] [●◐○▶✗] (\S+)/.exec(l)?.[1])
    .filter((k): k is string => k !== undefined)

describe('filter', () => {
  it('narrows the list as a selection is typed, then keeps it on Enter', async () => {
    const ui = renderApp(new FakeModel(ASSETS))
    assert.equal(rowsOf(ui.frame()).length, 6)
    await ui.press('/')
    assert.match(ui.frame(), /^\/▏/m, 'the filter line opens with a cursor')
    await ui.type('group:raw')
    assert.deepEqual(rowsOf(ui.frame()), ['raw/orders', 'raw/customers'])
    assert.match(ui.frame(), /2 matches/)
    await ui.press(KEY.enter)
    assert.deepEqual(rowsOf(ui.frame()), ['raw/orders', 'raw/customers'])
    assert.match(ui.frame(), /\/group:raw\s+2 matches · selection\s+\(\/ edit, Esc clear\)/)
    // Keys act on the filtered list.
    await ui.press('j')
    assert.equal(selectedKey(ui.frame()), 'raw/customers')
    await ui.press(KEY.escape)
    assert.equal(rowsOf(ui.frame()).length, 6, 'Esc drops the filter')
  })

  it('resolves upstream/downstream operators like the CLI', async () => {
    const ui = renderApp(new FakeModel(ASSETS))
    await ui.press('/')
    await ui.type('*model/train')
    assert.match(ui.frame(), /^\/\*model\/train▏\s+5 matches/m)
    assert.deepEqual(rowsOf(ui.frame()).sort(), ['features/daily', 'features/weekly', 'model/train', 'raw/customers', 'raw/orders'])
    await ui.press(KEY.enter, '/')
    for (let i = 0; i < '*model/train'.length; i++) await ui.press(KEY.backspace)
    await ui.type('features/daily+')
    assert.deepEqual(rowsOf(ui.frame()), ['features/daily', 'features/weekly'])
  })

  it('shows the engine error inline for a malformed selection and keeps the last good list', async () => {
    const ui = renderApp(new FakeModel(ASSETS))
    await ui.press('/')
    await ui.type('group:raw')
    await ui.type(' foo:bar')
    const f = ui.frame()
    assert.match(f, /✗ Invalid selection term "foo:bar": unknown prefix "foo:" \(only group: and tag: exist\)/)
    assert.deepEqual(rowsOf(f), ['raw/orders', 'raw/customers'], 'the list stays at the last valid selection')
    // Enter does not apply a bad selection: the input stays open with the error.
    await ui.press(KEY.enter)
    assert.match(ui.frame(), /✗ Invalid selection term/)
    assert.match(ui.frame(), /⏎ keep/)
    // Fixing it clears the error.
    for (let i = 0; i < ' foo:bar'.length; i++) await ui.press(KEY.backspace)
    assert.doesNotMatch(ui.frame(), /✗/)
  })

  it('suggests near keys for an unknown asset in a selection', async () => {
    const ui = renderApp(new FakeModel(ASSETS))
    await ui.press('/')
    await ui.type('raw/order+')
    assert.match(ui.frame(), /unknown asset "raw\/order" in term "raw\/order\+"\. Did you mean "raw\/orders"/)
    await ui.press(KEY.backspace)
    await ui.type('s+')
    assert.deepEqual(rowsOf(ui.frame()), ['raw/orders', 'features/daily'])
  })

  it('Esc while typing restores the filter that was applied', async () => {
    const ui = renderApp(new FakeModel(ASSETS))
    await ui.press('/')
    await ui.type('group:model')
    await ui.press(KEY.enter, '/')
    await ui.type(' report')
    assert.deepEqual(rowsOf(ui.frame()), ['model/train', 'report'])
    await ui.press(KEY.escape)
    assert.deepEqual(rowsOf(ui.frame()), ['model/train'])
    assert.match(ui.frame(), /\/group:model /)
  })

  it('says so when nothing matches a group that does not exist', async () => {
    const ui = renderApp(new FakeModel(ASSETS))
    await ui.press('/')
    await ui.type('group:nope')
    assert.match(ui.frame(), /no asset has group "nope" \(groups: features, model, raw, reporting\)/)
  })
})
