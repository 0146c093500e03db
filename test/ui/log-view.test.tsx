// The log view (Enter on a step in the runs view): a step's whole log with
// multi-line messages and the stack of each failed attempt, scrolled with
// j/k, PgUp/PgDn, g/G, searched with / and n/N, following the end while it
// runs. The run is built by the RunTracker from a run's events, as strata ui
// builds it from its own runs.
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { cleanup } from 'ink-testing-library'
import type { RunEvent } from '../../engine/index.js'
import { wrapLine } from '../../ui-terminal/app/log-view.js'
import { MAX_LOG_LINES, RunTracker, stackFrames } from '../../ui-terminal/app/run-tracker.js'
import { FakeModel, type FakeAsset } from './fake-model.js'
import { KEY, renderApp } from './helpers.js'

afterEach(() => cleanup())

const RUN = 'feedbeef00112233'
const ASSETS: FakeAsset[] = [{ key: 'train', group: 'ml', status: 'RUNNING' }]
const STEP = { id: 'train', assetKey: 'train', partitionKeys: [], upstream: [], downstream: [], order: 0 }
const STACK = 'Error: out of memory\n    at fit (/p/model.ts:40:11)\n    at compute (/p/definitions.ts:12:5)'

/** A run of `train` in a tracker, and a fake model showing it; `more` adds log lines live. */
function setup(lines: number) {
  const tracker = new RunTracker()
  const info = { selection: 'train', pid: 1, host: 'h' }
  const feed = (e: RunEvent) => tracker.live(RUN, e, info)
  feed({ type: 'run-start', runId: RUN, total: 1 })
  feed({ type: 'step-start', step: STEP, attempt: 1 })
  let n = 0
  const log = (message: string, level: 'info' | 'warn' = 'info') => feed({ type: 'step-log', step: STEP, line: { ts: Date.UTC(2024, 0, 1, 12, 0, n++), level, message } })
  log('loading the training set\nrows: 1200\ncolumns: 14')
  for (let i = 1; i <= lines; i++) log(`epoch ${i} loss ${(1 / i).toFixed(4)}`)
  feed({ type: 'step-retry', step: STEP, attempt: 1, delayMs: 500, error: { name: 'Error', message: 'out of memory', stack: STACK } })
  const model = new FakeModel(ASSETS)
  const publish = () => {
    model.runDetails.set(RUN, tracker.detail(RUN)!)
    model.setRuns([tracker.view(RUN)!])
  }
  publish()
  return {
    model,
    more(count: number, prefix: string) {
      for (let i = 0; i < count; i++) log(`${prefix} ${i}`)
      publish()
    },
  }
}

describe('the log view', () => {
  it('Enter on a step opens its whole log: every line of a message and the stack of a failed attempt', async () => {
    const { model } = setup(3)
    const ui = renderApp(model, { width: 120, height: 30 })
    await ui.press('r')
    await ui.waitFor(/Steps of run feedbeef/, 'the run in the runs view')
    assert.match(ui.frame(), /⏎ whole log/)
    // The retry is in the log's tail; its error is not repeated on a line of its own.
    assert.match(ui.frame(), /warn  Attempt 1 failed: out of memory/)
    assert.equal(ui.frame().match(/out of memory/g)?.length, 1, ui.frame())
    await ui.press(KEY.enter)
    const f = ui.frame()
    assert.match(f, /^↻ train\s+run feedbeef · lines 1–9 of 9 · following/m)
    assert.match(f, /12:00:00 info  loading the training set\n\s{15}rows: 1200\n\s{15}columns: 14/, 'a multi-line message, whole')
    assert.match(f, /warn  Attempt 1 failed: out of memory\. Retrying in 500 ms\.\n\s{15}    at fit \(\/p\/model\.ts:40:11\)\n\s{15}    at compute/, 'the stack under the retry')
    assert.match(ui.lines().at(-1)!, /PgUp\/PgDn page .*\/ search .*Esc back/)
    await ui.press(KEY.escape)
    assert.match(ui.frame(), /Steps of run feedbeef/, 'Esc goes back to the runs view')
  })

  it('scrolls by line and page, goes to the start and back to the end, where it follows new lines again', async () => {
    const h = setup(200)
    const ui = renderApp(h.model, { width: 120, height: 30 })
    await ui.press('r', KEY.enter)
    // 30 lines: header, status line, footer, the log's title and search lines leave 25 for the log.
    const total = 3 + 200 + 3
    assert.match(ui.frame(), new RegExp(`lines ${total - 24}–${total} of ${total} · following`))
    assert.match(ui.frame(), /at compute/)
    await ui.press('k')
    assert.match(ui.frame(), new RegExp(`lines ${total - 25}–${total - 1} of ${total}\n`), 'k: one line up, no longer following')
    await ui.press(KEY.pageUp)
    assert.match(ui.frame(), new RegExp(`lines ${total - 25 - 24}–`), 'a page is the height less one line')
    h.more(5, 'late line')
    await ui.waitFor(new RegExp(`of ${total + 5}`), 'the new lines counted')
    assert.doesNotMatch(ui.frame(), /late line/, 'scrolled up: the view stays where it is')
    await ui.press('g')
    assert.match(ui.frame(), /lines 1–25 of/)
    assert.match(ui.frame(), /loading the training set/)
    await ui.press(KEY.pageDown)
    assert.match(ui.frame(), /lines 25–49 of/)
    await ui.press('G')
    assert.match(ui.frame(), /late line 4/)
    assert.match(ui.frame(), /· following/)
    h.more(3, 'later line')
    await ui.waitFor(/later line 2/, 'following: new lines come into view')
  })

  it('/ searches as you type; n and N go through the matches; Esc drops the search, then closes', async () => {
    const { model } = setup(100)
    const ui = renderApp(model, { width: 120, height: 30 })
    await ui.press('r', KEY.enter, 'g', '/')
    await ui.type('epoch 7')
    let f = ui.frame()
    assert.match(f, /^\/epoch 7▏\s+11 line\(s\) match/m)
    assert.match(f, /epoch 7 loss 0\.1429/, 'the first match from the top is in view')
    await ui.press(KEY.enter, 'n')
    f = ui.frame()
    assert.match(f, /n\/N next\/previous/)
    assert.match(f, /epoch 70 loss/)
    const line = (frame: string) => Number(/lines (\d+)–/.exec(frame)![1])
    const at70 = line(f)
    await ui.press('n', 'N')
    assert.equal(line(ui.frame()), at70, 'n then N comes back')
    await ui.press('/')
    await ui.type('no such text')
    assert.match(ui.frame(), /0 line\(s\) match\s+not found/)
    await ui.press(KEY.escape)
    assert.doesNotMatch(ui.frame(), /line\(s\) match/)
    assert.match(ui.frame(), /lines \d+–/, 'still in the log view')
    await ui.press(KEY.escape)
    assert.match(ui.frame(), /Steps of run feedbeef/)
  })

  it('says how many earlier lines a long log no longer keeps', async () => {
    const { model, more } = setup(0)
    more(MAX_LOG_LINES, 'line')
    const ui = renderApp(model, { width: 140, height: 30 })
    await ui.press('r', KEY.enter)
    assert.match(ui.frame(), new RegExp(`of ${MAX_LOG_LINES} · following · 2 earlier line\\(s\\) only in strata logs`))
  })

  it('wraps a long line at a space, keeping its indentation on the lines it continues on', () => {
    assert.deepEqual(wrapLine('short', 20), ['short'])
    assert.deepEqual(wrapLine('one two three four five six', 12), ['one two', 'three four', 'five six'])
    // A space in the second half of the width is a place to cut; without one, the line is cut at the width.
    assert.deepEqual(wrapLine('    at compute (/a/very/long/path/to/definitions.ts:12:5)', 24), ['    at compute', '    (/a/very/long/path/t', '    o/definitions.ts:12:', '    5)'])
    assert.deepEqual(wrapLine('x'.repeat(25), 10), ['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)])
  })

  it('keeps a failure and its stack from stored events, frames only', () => {
    const tracker = new RunTracker()
    tracker.upsertRecord({ runId: RUN, selection: 'train', stepKeys: ['train'], defsPath: '', pid: 2, host: 'h', startedAt: 0, status: 'FAILURE', tags: {} })
    tracker.ingestEvents(RUN, [
      { id: 1, runId: RUN, ts: 1, type: 'STEP_START', assetKey: 'train', partitionKey: '', data: { attempt: 1 } },
      { id: 2, runId: RUN, ts: 2, type: 'STEP_FAILURE', assetKey: 'train', partitionKey: '', level: 'error', message: 'out of memory', data: { error: { name: 'Error', message: 'out of memory', stack: STACK } } },
    ] as never)
    const log = tracker.detail(RUN)!.logs('train')
    assert.deepEqual(log.map((l) => [l.level, l.kind, l.message, l.stack]), [['error', 'failure', 'Failed: out of memory', STACK.split('\n').slice(1).join('\n')]])
    assert.equal(stackFrames('Error: a\nsecond line of the message\n    at x (f.ts:1:1)'), '    at x (f.ts:1:1)')
    assert.equal(stackFrames('no frames'), undefined)
  })
})
