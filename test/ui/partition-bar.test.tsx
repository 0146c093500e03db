// Partition bars: characters and colours per status, bucketing, the counts
// bar of list rows, the cursor/range marker, and picking partitions with keys.
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, it } from 'node:test'
import chalk from 'chalk'
import { cleanup, render } from 'ink-testing-library'
import type { PartitionDisplayStatus } from '../../engine/index.js'
import { cellOf, countCells, partitionCells, PartitionTimeline, timelineMarker } from '../../ui-terminal/app/partition-bar.js'
import { FakeModel, partitionKeyOf, type FakeAsset } from './fake-model.js'
import { KEY, renderApp } from './helpers.js'

afterEach(() => cleanup())

const ALL: PartitionDisplayStatus[] = ['FRESH', 'STALE', 'IN_PROGRESS', 'FAILED', 'MISSING']

describe('partition bar cells', () => {
  it('gives each status its character and colour', () => {
    const cells = partitionCells(ALL, 40)
    assert.deepEqual(
      cells.map((c) => [c.char, c.color]),
      [
        ['█', 'green'],
        ['█', 'yellow'],
        ['█', 'blue'],
        ['█', 'red'],
        ['░', 'gray'],
      ],
    )
  })

  it('buckets many partitions into the width, each cell showing its worst status', () => {
    const statuses: PartitionDisplayStatus[] = ['FRESH', 'FRESH', 'FRESH', 'STALE', 'MISSING', 'FRESH', 'FAILED', 'IN_PROGRESS', 'MISSING', 'MISSING']
    assert.deepEqual(
      partitionCells(statuses, 5).map((c) => c.status),
      ['FRESH', 'STALE', 'MISSING', 'FAILED', 'MISSING'],
    )
    assert.equal(partitionCells(Array(1000).fill('FRESH'), 60).length, 60)
    assert.equal(partitionCells(['FRESH', 'FRESH'], 60).length, 2, 'never more cells than partitions')
  })

  it('maps a partition index to the cell that shows it', () => {
    // 10 partitions in 4 cells: cells start at 0, 2, 5, 7.
    assert.deepEqual(
      Array.from({ length: 10 }, (_, i) => cellOf(i, 10, 4)),
      [0, 0, 1, 1, 1, 2, 2, 3, 3, 3],
    )
    assert.equal(timelineMarker(10, 10, 2), '  ▲')
    assert.equal(timelineMarker(10, 10, 3, 0), '═══▲')
    assert.equal(timelineMarker(10, 10, 1, 4), ' ▲═══')
  })

  it('sizes the counts bar of a list row in proportion, with at least one cell per present status', () => {
    const cells = countCells({ FRESH: 50, STALE: 25, MISSING: 25, FAILED: 0, IN_PROGRESS: 0 }, 8)
    assert.equal(cells.map((c) => c.char).join(''), '██████░░')
    assert.deepEqual(
      cells.map((c) => c.color),
      ['green', 'green', 'green', 'green', 'yellow', 'yellow', 'gray', 'gray'],
    )
    const rare = countCells({ FRESH: 999, STALE: 0, MISSING: 0, FAILED: 1, IN_PROGRESS: 0 }, 10)
    assert.deepEqual(
      rare.map((c) => c.color),
      [...Array(9).fill('green'), 'red'],
    )
    assert.equal(countCells({ FRESH: 1, STALE: 1, MISSING: 1, FAILED: 1, IN_PROGRESS: 1 }, 3).length, 3, 'never wider than asked')
  })
})

describe('partition bar rendering', () => {
  let level: typeof chalk.level
  before(() => {
    level = chalk.level
    chalk.level = 1 // the test runner sets FORCE_COLOR=0; colours are what is under test here
  })
  after(() => {
    chalk.level = level
  })

  it('draws each status in its terminal colour with the cursor cell inverse', () => {
    const r = render(<PartitionTimeline statuses={ALL} width={40} cursor={2} />)
    const [bar, marker] = (r.lastFrame() ?? '').split('\n')
    const esc = (code: number) => `\u001b[${code}m`
    const order = [`${esc(32)}█`, `${esc(33)}█`, esc(7), `${esc(31)}█`, `${esc(90)}░`]
    let at = -1
    for (const piece of order) {
      const next = bar!.indexOf(piece, at + 1)
      assert.ok(next > at, `expected ${JSON.stringify(piece)} after position ${at} in ${JSON.stringify(bar)}`)
      at = next
    }
    assert.ok(bar!.includes(esc(34)), 'the running cell is blue')
    assert.equal(marker!.replace(/\u001b\[[0-9;]*m/g, ''), '  ▲')
  })
})

const DAYS: PartitionDisplayStatus[] = Array.from({ length: 30 }, (_, i) => (i < 20 ? 'FRESH' : i < 25 ? 'STALE' : 'MISSING'))
const ASSETS: FakeAsset[] = [
  { key: 'events', group: 'raw', status: 'STALE', materializedAt: 1, partitions: DAYS },
  { key: 'plain', group: 'raw', status: 'FRESH', materializedAt: 1 },
]

describe('partition cursor and ranges', () => {
  it('starts at the last partition and moves with ←/→, [ ] and Home/End; m builds the cursor partition', async () => {
    const model = new FakeModel(ASSETS)
    const ui = renderApp(model)
    assert.match(ui.frame(), /cursor p029\s+░ missing/)
    assert.match(ui.frame(), /█ 20 materialized\s+█ 5 stale\s+░ 5 missing/)
    await ui.press(KEY.left, KEY.left)
    assert.match(ui.frame(), /cursor p027/)
    await ui.press('[')
    assert.match(ui.frame(), /cursor p024\s+█ stale/)
    assert.match(ui.frame(), /• upstream data changed/, 'the reasons of the cursor partition')
    await ui.press(KEY.right)
    await ui.press('m')
    assert.deepEqual(model.calls.at(-1), { type: 'materialize', req: { key: 'events', downstream: false, partitions: ['p025'] } })
    await ui.press('M')
    assert.deepEqual(model.calls.at(-1), { type: 'materialize', req: { key: 'events', downstream: true, partitions: ['p025'] } })
    await ui.press('\u001b[H') // Home
    assert.match(ui.frame(), /cursor p000\s+█ materialized/)
    await ui.press(KEY.left)
    assert.match(ui.frame(), /cursor p000/, 'stops at the first partition')
  })

  it('Shift+←/→ selects a range; b backfills it and m materializes its partitions', async () => {
    const model = new FakeModel(ASSETS)
    const ui = renderApp(model)
    await ui.press(KEY.shiftLeft, KEY.shiftLeft, KEY.shiftLeft)
    assert.match(ui.frame(), /range p026 … p029\s+4 partition\(s\)/)
    assert.match(ui.frame(), /═══▲|▲═══/)
    await ui.press('b')
    assert.deepEqual(model.calls.at(-1), { type: 'backfill', req: { key: 'events', from: 'p026', to: 'p029' } })
    await ui.press('m')
    assert.deepEqual(model.calls.at(-1), { type: 'materialize', req: { key: 'events', downstream: false, partitions: ['p026', 'p027', 'p028', 'p029'].map((_, i) => partitionKeyOf(26 + i)) } })
    // A plain arrow ends a Shift range.
    await ui.press(KEY.left)
    assert.doesNotMatch(ui.frame(), /range p/)
  })

  it('v starts a range that plain arrows extend; v again or Esc ends it', async () => {
    const model = new FakeModel(ASSETS)
    const ui = renderApp(model)
    await ui.press('[', 'v', KEY.left, KEY.left)
    assert.match(ui.frame(), /range p024 … p026\s+3 partition\(s\)/)
    await ui.press('b')
    assert.deepEqual(model.calls.at(-1), { type: 'backfill', req: { key: 'events', from: 'p024', to: 'p026' } })
    await ui.press('v')
    assert.doesNotMatch(ui.frame(), /range p/)
    await ui.press('v', KEY.right, KEY.escape)
    assert.doesNotMatch(ui.frame(), /range p/)
    assert.match(ui.frame(), /cursor p025/)
  })

  it('an unpartitioned asset has no cursor: b explains, m builds the asset', async () => {
    const model = new FakeModel(ASSETS)
    const ui = renderApp(model)
    await ui.press('j', 'b')
    assert.match(ui.frame(), /plain is not partitioned: press m to materialize it\./)
    assert.equal(model.calls.length, 0)
    await ui.press('m')
    assert.deepEqual(model.calls.at(-1), { type: 'materialize', req: { key: 'plain', downstream: false, partitions: undefined } })
    await ui.press('s')
    assert.deepEqual(model.calls.at(-1), { type: 'stale' })
  })
})
