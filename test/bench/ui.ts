/**
 * Terminal UI: first render with 10,000 assets (fake model data, and a real
 * workspace of 10,000 generated assets), and key-press → re-render latency
 * (`j` pressed 100 times, time until the frame changes). Target ≤ 50 ms per key.
 * Rendered with ink-testing-library (no frame throttling; a real terminal adds
 * Ink's ≤ 33 ms frame interval), with React's production build as `strata ui` loads it.
 */
import type { UiModel } from '../../ui-terminal/app/model.js'
import { workspaceOpener } from '../../ui-terminal/app/workspace-loader.js'
import { WorkspaceModel } from '../../ui-terminal/app/workspace-model.js'
import { FakeModel, fakeAssets } from '../ui/fake-model.js'
import { layeredDefinitions } from './graphs.js'
import { runGraph } from './ui-graph.js'
import { runSearchAndLogs } from './ui-search.js'
import { fmt, makeProject } from './project.js'

const WIDTH = 160
const HEIGHT = 45
const immediate = () => new Promise<void>((r) => setImmediate(r))

async function until(test: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = performance.now() + timeoutMs
  while (!test()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`)
    await immediate()
  }
}

type Ui = { createElement: typeof import('react').createElement; render: typeof import('ink-testing-library').render; App: typeof import('../../ui-terminal/app/app.js').App }

/** React and Ink loaded as `strata ui` loads them: with NODE_ENV=production while they load. */
async function loadUi(): Promise<Ui> {
  const saved = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    const [{ createElement }, { render }, { App }] = await Promise.all([import('react'), import('ink-testing-library'), import('../../ui-terminal/app/app.js')])
    return { createElement, render, App }
  } finally {
    if (saved === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = saved
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!

/** ms from render() to the first frame with asset rows, then per-key latencies of `j` × presses. */
async function measure({ createElement, render, App }: Ui, model: UiModel, rowPattern: RegExp, presses = 100): Promise<{ first: number; keys: number[]; lines: number }> {
  const t0 = performance.now()
  const r = render(createElement(App, { model, width: WIDTH, height: HEIGHT }))
  await until(() => rowPattern.test(r.lastFrame() ?? ''), 'the first frame with rows')
  const first = performance.now() - t0
  const lines = (r.lastFrame() ?? '').split('\n').length
  // Let effects settle (input handlers attach after the first commit).
  for (let i = 0; i < 20; i++) await immediate()
  const keys: number[] = []
  for (let i = 0; i < presses; i++) {
    const before = r.lastFrame()
    const t = performance.now()
    r.stdin.write('j')
    await until(() => r.lastFrame() !== before, `frame change after j #${i + 1}`, 5000)
    keys.push(performance.now() - t)
  }
  r.unmount()
  return { first, keys, lines }
}

function report(label: string, m: { first: number; keys: number[]; lines: number }): void {
  console.log(`${label}: first frame with rows ${fmt(m.first)} (${m.lines} lines drawn)`)
  console.log(`  key j → new frame, ${m.keys.length} presses: median ${m.keys.length ? pct(m.keys, 0.5).toFixed(1) : '-'} ms, p95 ${pct(m.keys, 0.95).toFixed(1)} ms, max ${Math.max(...m.keys).toFixed(1)} ms  [target ≤ 50 ms]`)
}

export async function run(): Promise<void> {
  console.log('## Terminal UI (strata ui)')
  const ui = await loadUi()
  {
    const t = performance.now()
    const model = new FakeModel(fakeAssets(10_000, 10))
    const built = performance.now() - t
    // Warm-up render: module loading and JIT are not what the first-render figure is about.
    await measure(ui, new FakeModel(fakeAssets(50, 5)), /[●◐○▶✗] g0\/a/, 5)
    const m = await measure(ui, model, /[●◐○▶✗] g0\/a/)
    console.log(`(fake model with 10,000 assets built in ${fmt(built)})`)
    report('10,000 assets, fake model data', m)
  }
  {
    const p = makeProject(layeredDefinitions({ width: 10, layers: 1000 }))
    try {
      const t = performance.now()
      const model = new WorkspaceModel({ open: workspaceOpener({ cwd: p.dir }), title: 'bench', executor: 'in-process' })
      await model.start()
      const loaded = performance.now() - t
      const m = await measure(ui, model, /[●◐○▶✗] l0\/a/)
      console.log(`(real workspace: load definitions + graph + status of 10,000 assets + runs: ${fmt(loaded)})`)
      report('10,000 assets, real workspace', m)
      console.log(`  from opening the workspace to the first frame with rows: ${fmt(loaded + m.first)}`)
      await model.close()
    } finally {
      p.cleanup()
    }
  }
  await runGraph(ui)
  await runSearchAndLogs(ui)
}
