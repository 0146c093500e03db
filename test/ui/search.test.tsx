// `/` with plain text: a ranked search over keys, groups, descriptions and
// tags (ui-terminal/app/search.ts), shown as a flat list best first; text
// that reads as a selection still goes to the selection syntax.
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { cleanup } from 'ink-testing-library'
import { highlightRuns, looksLikeSelection, SearchIndex, type SearchDoc } from '../../ui-terminal/app/search.js'
import { FakeModel, type FakeAsset } from './fake-model.js'
import { KEY, renderApp, selectedKey } from './helpers.js'

afterEach(() => cleanup())

const DOCS: SearchDoc[] = [
  { key: 'raw/flights', group: 'ingestion', description: "One day's flights", tags: {} },
  { key: 'features/flights', group: 'features', description: 'Point-in-time features over the 7 previous days', tags: {} },
  { key: 'raw/daily_rate_info_t', group: 'raw', tags: {} },
  { key: 'monitoring/report', group: 'monitoring', description: 'Summary of drift and realized performance', tags: { team: 'ml' } },
  { key: 'features/drift_stats', group: 'features', tags: {} },
  { key: 'monitoring/drift', group: 'monitoring', description: 'PSI of each feature against the training distribution', tags: {} },
  { key: 'models/flight_delay', group: 'registry', tags: { owner: 'forecasting' } },
]

const keysOf = (ix: SearchIndex, text: string) => [...ix.search(text).keys]

describe('search ranking', () => {
  it('ranks a whole key segment first, then a word start, then letters scattered, then other fields', () => {
    const ix = new SearchIndex(DOCS)
    assert.deepEqual(keysOf(ix, 'drift'), ['monitoring/drift', 'features/drift_stats', 'raw/daily_rate_info_t', 'monitoring/report'])
    const r = ix.search('drift')
    assert.deepEqual(r.explain('monitoring/drift')?.keyPositions, [11, 12, 13, 14, 15])
    assert.deepEqual(r.explain('raw/daily_rate_info_t')?.keyPositions, [4, 10, 15, 17, 20], 'd-r-i-f-t in order')
    const viaDescription = r.explain('monitoring/report')!
    assert.deepEqual(viaDescription.keyPositions, [])
    assert.equal(viaDescription.via?.field, 'description')
    assert.equal(viaDescription.via?.text.slice(viaDescription.via.positions[0], viaDescription.via.positions.at(-1)! + 1), 'drift')
  })

  it('needs every word somewhere; groups and tags count, less than the key', () => {
    const ix = new SearchIndex(DOCS)
    assert.deepEqual(keysOf(ix, 'flight delay'), ['models/flight_delay'])
    assert.deepEqual(keysOf(ix, 'monitoring'), ['monitoring/drift', 'monitoring/report'], 'ties go to the shorter key')
    assert.deepEqual(keysOf(ix, 'team=ml'), ['monitoring/report'])
    assert.equal(ix.search('team').explain('monitoring/report')?.via?.field, 'tag')
    assert.deepEqual(keysOf(ix, 'ingestion'), ['raw/flights'])
    assert.equal(ix.search('ingestion').explain('raw/flights')?.via?.field, 'group')
    assert.deepEqual(keysOf(ix, 'FLIGHTS raw'), ['raw/flights'], 'case does not matter')
    assert.deepEqual(keysOf(ix, 'zzz'), [])
    assert.deepEqual(keysOf(ix, '   '), [])
  })

  it('gives the same answer typing on, backspacing or starting afresh (narrowing reuses the last matches)', () => {
    const many: SearchDoc[] = Array.from({ length: 500 }, (_, i) => ({ key: `g${i % 7}/asset_${i}`, group: `group${i % 7}`, description: i % 3 ? `daily metrics ${i}` : undefined, tags: { n: String(i % 5) } }))
    const typed = new SearchIndex(many)
    const fresh = (text: string) => [...new SearchIndex(many).search(text).keys]
    for (const text of ['a', 'as', 'ass', 'asset_1', 'asset_12', 'asset_1', 'asset_1 g3', 'me', 'met g2', 'n=4', 'n=4 1']) {
      assert.deepEqual([...typed.search(text).keys], fresh(text), `"${text}"`)
    }
  })

  it('cuts a key into matched and unmatched runs for highlighting', () => {
    assert.deepEqual(highlightRuns('monitoring/drift', [0, 11, 12]), [
      { text: 'm', hit: true },
      { text: 'onitoring/', hit: false },
      { text: 'dr', hit: true },
      { text: 'ift', hit: false },
    ])
    assert.deepEqual(highlightRuns('ab', []), [{ text: 'ab', hit: false }])
  })

  it('leaves text that reads as a selection to the selection syntax', () => {
    for (const t of ['*raw/a', 'raw/a*', '+raw/a', 'raw/a+', 'group:raw', 'tag:team=ml', 'drift group:monitoring', '*']) assert.equal(looksLikeSelection(t), true, t)
    for (const t of ['drift', 'raw/flights', 'flight delay', 'a-b', 'x:y']) assert.equal(looksLikeSelection(t), false, t)
  })
})

const ASSETS: FakeAsset[] = [
  { key: 'raw/flights', group: 'ingestion', status: 'FRESH', materializedAt: 1, description: "One day's flights" },
  { key: 'features/drift_stats', group: 'features', status: 'FRESH', materializedAt: 1, upstream: ['raw/flights'] },
  { key: 'features/flights', group: 'features', status: 'STALE', materializedAt: 1, upstream: ['raw/flights'] },
  { key: 'monitoring/drift', group: 'monitoring', status: 'MISSING', upstream: ['features/flights'] },
  { key: 'monitoring/report', group: 'monitoring', status: 'MISSING', upstream: ['monitoring/drift'], description: 'Summary of drift and realized performance' },
]

/** Asset rows of the list column, in order. */
const rowsOf = (frame: string) =>
  frame
    .split('\n')
    .map((l) => /^[› ] [●◐○▶✗] (\S+)/.exec(l)?.[1])
    .filter((k): k is string => k !== undefined)

describe('search in the UI', () => {
  it('typing drift lists the matches best first, without group headers, with the cursor on the best', async () => {
    const ui = renderApp(new FakeModel(ASSETS))
    await ui.press('/')
    await ui.type('drift')
    const f = ui.frame()
    assert.deepEqual(rowsOf(f), ['monitoring/drift', 'features/drift_stats', 'monitoring/report'])
    assert.match(f, /^\/drift▏\s+3 matches · search/m)
    assert.doesNotMatch(f, /▾ monitoring/, 'a ranked list has no group headers')
    assert.equal(selectedKey(f), 'monitoring/drift')
    assert.match(f, /monitoring\/report\s+…drift and/, 'what matched outside the key is shown beside it')
    assert.match(f, /text searches keys, groups, descriptions, tags/, 'the footer says how text is read')

    // Enter keeps the search; the keys move through it in rank order.
    await ui.press(KEY.enter, 'j')
    assert.equal(selectedKey(ui.frame()), 'features/drift_stats')
    assert.match(ui.frame(), /^\/drift\s+3 matches · search\s+\(\/ edit, Esc clear\)/m)
    await ui.press(KEY.escape)
    assert.deepEqual(rowsOf(ui.frame()), ['raw/flights', 'features/drift_stats', 'features/flights', 'monitoring/drift', 'monitoring/report'])
    assert.match(ui.frame(), /▾ monitoring/)
    assert.equal(selectedKey(ui.frame()), 'features/drift_stats', 'the asset picked in the search stays selected')
  })

  it('re-ranks on every keystroke and goes back to a selection when the text becomes one', async () => {
    const ui = renderApp(new FakeModel(ASSETS))
    await ui.press('/')
    await ui.type('fl')
    assert.deepEqual(rowsOf(ui.frame()), ['raw/flights', 'features/flights'])
    await ui.type('ights raw')
    assert.deepEqual(rowsOf(ui.frame()), ['raw/flights'])
    for (let i = 0; i < 'ights raw'.length + 2; i++) await ui.press(KEY.backspace)
    await ui.type('*monitoring/drift')
    const f = ui.frame()
    assert.match(f, /3 matches · selection/)
    assert.deepEqual(rowsOf(f), ['raw/flights', 'features/flights', 'monitoring/drift'])
    assert.match(f, /▾ ingestion/, 'a selection keeps the groups')
  })

  it('z says that search results have no groups to fold', async () => {
    const ui = renderApp(new FakeModel(ASSETS))
    await ui.press('/')
    await ui.type('drift')
    await ui.press(KEY.enter, 'z')
    assert.match(ui.frame(), /Search results are not grouped: Esc clears the search, then z folds the groups\./)
    await ui.press(KEY.escape)
    assert.match(ui.frame(), /▸ monitoring/, 'folded once the list is grouped again')
  })

  it('says when nothing matches', async () => {
    const ui = renderApp(new FakeModel(ASSETS))
    await ui.press('/')
    await ui.type('qqq')
    assert.match(ui.frame(), /0 matches · search/)
    assert.match(ui.frame(), /No assets match the filter\./)
  })
})
