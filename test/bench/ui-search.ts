/**
 * Search and the log view of the terminal UI:
 * - the search re-ranking 10,000 assets (keys, groups, descriptions, tags) on
 *   each keystroke of a few queries typed and backspaced (target ≤ 30 ms), as
 *   the filter line calls it, without drawing;
 * - key → new frame while typing that search in the UI (`/` then the
 *   letters), the ranked list redrawn each time;
 * - key → new frame in the log view of a step with 2,000 lines (the most a
 *   step keeps), scrolling by line and by page (target p95 ≤ 50 ms).
 * Fake model data, rendered with ink-testing-library and React's production
 * build (see ui.ts).
 */
import type { RunEvent } from '../../engine/index.js'
import { MAX_LOG_LINES, RunTracker } from '../../ui-terminal/app/run-tracker.js'
import { FakeModel, fakeAssets, type FakeAsset } from '../ui/fake-model.js'
import { fmt } from './project.js'

type Ui = { createElement: typeof import('react').createElement; render: typeof import('ink-testing-library').render; App: typeof import('../../ui-terminal/app/app.js').App }

const WIDTH = 160
const HEIGHT = 45
const PAGE_UP = '\u001B[5~'
const immediate = () => new Promise<void>((r) => setImmediate(r))
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!
const stats = (xs: number[]) => `median ${pct(xs, 0.5).toFixed(1)} ms, p95 ${pct(xs, 0.95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`

async function until(test: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = performance.now() + timeoutMs
  while (!test()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`)
    await immediate()
  }
}

const WORDS = ['daily', 'features', 'drift', 'revenue', 'orders', 'training', 'report', 'snapshot', 'metrics', 'events']

/** 10,000 assets as fakeAssets makes them, with a description and tags each (what the search reads besides keys and groups). */
export function searchAssets(n = 10_000): FakeAsset[] {
  return fakeAssets(n, 10).map((a, i) => ({
    ...a,
    description: `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} of partition set ${i % 97}, rebuilt nightly from upstream ${WORDS[(i * 3) % WORDS.length]}`,
    tags: { team: `team${i % 13}`, tier: i % 3 ? 'silver' : 'gold' },
  }))
}

/** Every prefix of each query, then backspaces down to nothing: what the filter line asks for while someone types. */
export function keystrokes(queries: readonly string[]): string[] {
  const out: string[] = []
  for (const q of queries) {
    for (let i = 1; i <= q.length; i++) out.push(q.slice(0, i))
    for (let i = q.length - 1; i >= 1; i--) out.push(q.slice(0, i))
  }
  return out
}

const QUERIES = ['drift', 'g3/a0999', 'metrics team7', 'nightly gold', 'zzz']

/** Wall and CPU time of model.filter per keystroke. */
function rankPerKeystroke(model: FakeModel, texts: readonly string[]): { wall: number[]; cpu: number[] } {
  const wall: number[] = []
  const cpu: number[] = []
  for (const text of texts) {
    const c = process.cpuUsage()
    const t = performance.now()
    const r = model.filter(text)
    wall.push(performance.now() - t)
    const used = process.cpuUsage(c)
    cpu.push((used.user + used.system) / 1000)
    if (!r.ok || !r.ranked) throw new Error(`"${text}" was not read as a search`)
  }
  return { wall, cpu }
}

/** ms from each key written to the next frame that differs, wall and CPU (this process's; the machine may be busy with others). */
async function keyFrames(r: ReturnType<Ui['render']>, keys: readonly string[]): Promise<number[] & { cpu: number[] }> {
  const out = Object.assign([] as number[], { cpu: [] as number[] })
  for (const k of keys) {
    const before = r.lastFrame()
    const c = process.cpuUsage()
    const t = performance.now()
    r.stdin.write(k)
    await until(() => r.lastFrame() !== before, `a new frame after ${JSON.stringify(k)}`)
    out.push(performance.now() - t)
    const used = process.cpuUsage(c)
    out.cpu.push((used.user + used.system) / 1000)
  }
  return out
}

const both = (xs: number[] & { cpu: number[] }) => `wall ${stats(xs)}; CPU ${stats(xs.cpu)}`

/** A run whose single step logged `lines` lines, some of them several lines long, in a fake model. */
function modelWithLog(lines: number): FakeModel {
  const tracker = new RunTracker()
  const runId = 'bench0000run0001'
  const step = { id: 'train', assetKey: 'train', partitionKeys: [], upstream: [], downstream: [], order: 0 }
  const feed = (e: RunEvent) => tracker.live(runId, e, { selection: 'train', pid: 1, host: 'bench' })
  feed({ type: 'run-start', runId, total: 1 })
  feed({ type: 'step-start', step, attempt: 1 })
  for (let i = 0; i < lines; i++) {
    const message = i % 10 === 0 ? `batch ${i}: loss ${(1 / (i + 1)).toFixed(5)}\n  lr 0.001\n  grad norm ${(i % 17) / 3}` : `batch ${i}: loss ${(1 / (i + 1)).toFixed(5)}`
    feed({ type: 'step-log', step, line: { ts: Date.UTC(2024, 0, 1) + i * 1000, level: i % 50 === 0 ? 'warn' : 'info', message } })
  }
  const model = new FakeModel([{ key: 'train', group: 'ml', status: 'RUNNING' }])
  model.runDetails.set(runId, tracker.detail(runId)!)
  model.setRuns([tracker.view(runId)!])
  return model
}

export async function runSearchAndLogs({ createElement, render, App }: Ui): Promise<void> {
  console.log('## Search and the log view')
  const t = performance.now()
  const model = new FakeModel(searchAssets())
  console.log(`(fake model with 10,000 assets, descriptions and tags, built in ${fmt(performance.now() - t)})`)
  const texts = keystrokes(QUERIES)
  rankPerKeystroke(model, texts) // warm-up: the index is built on the first search, and JIT
  const ranked = rankPerKeystroke(new FakeModel(searchAssets()), texts)
  console.log(`search re-rank of 10,000 assets, ${texts.length} keystrokes (${QUERIES.map((q) => JSON.stringify(q)).join(', ')}, typed and backspaced):`)
  console.log(`  wall: ${stats(ranked.wall)}  [target ≤ 30 ms]`)
  console.log(`  CPU:  ${stats(ranked.cpu)} (the first keystroke builds the index)`)

  {
    const r = render(createElement(App, { model, width: WIDTH, height: HEIGHT }))
    await until(() => /[●◐○▶✗] g0\/a/.test(r.lastFrame() ?? ''), 'the first frame with rows', 60_000)
    for (let i = 0; i < 20; i++) await immediate()
    const j = await keyFrames(r, Array(40).fill('j'))
    await keyFrames(r, ['/'])
    const typed = Object.assign([] as number[], { cpu: [] as number[] })
    for (const q of QUERIES.slice(0, 4)) {
      const k = await keyFrames(r, [...q, ...[...q].map(() => '\u007F')])
      typed.push(...k)
      typed.cpu.push(...k.cpu)
    }
    r.unmount()
    console.log(`list view of 10,000 assets, key j → new frame, ${j.length} keys: ${both(j)}  [target p95 ≤ 50 ms]`)
    console.log(`typing a search over 10,000 assets (letters and backspaces) → new frame, ${typed.length} keys: ${both(typed)}  [target p95 ≤ 50 ms]`)
  }

  {
    const logModel = modelWithLog(MAX_LOG_LINES)
    const r = render(createElement(App, { model: logModel, width: WIDTH, height: HEIGHT }))
    await until(() => /train/.test(r.lastFrame() ?? ''), 'the first frame')
    for (let i = 0; i < 20; i++) await immediate()
    await keyFrames(r, ['r'])
    const opened = await keyFrames(r, ['\r'])
    const keys = [...Array(60).fill('k'), ...Array(40).fill(PAGE_UP), 'G', ...Array(40).fill(PAGE_UP)]
    const scrolled = await keyFrames(r, keys)
    r.unmount()
    console.log(`log view of a step with ${MAX_LOG_LINES} lines: Enter → first frame ${opened[0]!.toFixed(1)} ms`)
    console.log(`  key → new frame, ${scrolled.length} keys (k, PgUp, G): ${both(scrolled)}  [target p95 ≤ 50 ms]`)
  }
}

/** Loads React and Ink as ui.ts does and runs only these measurements. */
export async function run(): Promise<void> {
  const saved = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    const [{ createElement }, { render }, { App }] = await Promise.all([import('react'), import('ink-testing-library'), import('../../ui-terminal/app/app.js')])
    await runSearchAndLogs({ createElement, render, App })
  } finally {
    if (saved === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = saved
  }
}
