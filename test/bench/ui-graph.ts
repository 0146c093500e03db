/**
 * The graph view with 1,000 assets: time from pressing `g` to the first
 * frame of the graph (target ≤ 100 ms), and key → new frame while walking
 * the graph (target p95 ≤ 50 ms): in the neighbourhood (each move centres a
 * new neighbourhood and lays it out again) and over collapsed groups.
 * Fake model data (a layered graph, 20 assets a layer, each reading two of
 * the layer before) and a real workspace of 1,000 generated assets.
 */
import type { UiModel } from '../../ui-terminal/app/model.js'
import { workspaceOpener } from '../../ui-terminal/app/workspace-loader.js'
import { WorkspaceModel } from '../../ui-terminal/app/workspace-model.js'
import { FakeModel } from '../ui/fake-model.js'
import { layeredAssets } from '../ui/graph-fixtures.js'
import { layeredDefinitions } from './graphs.js'
import { fmt, makeProject } from './project.js'

export type Ui = { createElement: typeof import('react').createElement; render: typeof import('ink-testing-library').render; App: typeof import('../../ui-terminal/app/app.js').App }

const WIDTH = 160
const HEIGHT = 45
const RIGHT = '\u001B[C'
const LEFT = '\u001B[D'
const immediate = () => new Promise<void>((r) => setImmediate(r))
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!

async function until(test: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = performance.now() + timeoutMs
  while (!test()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`)
    await immediate()
  }
}

async function measure({ createElement, render, App }: Ui, model: UiModel, rowPattern: RegExp, walk: string[], groupMoves = 9): Promise<{ first: number; around: number[]; groups: number[]; list: number[] }> {
  const r = render(createElement(App, { model, width: WIDTH, height: HEIGHT }))
  const frame = () => r.lastFrame() ?? ''
  await until(() => rowPattern.test(frame()), 'the asset list')
  for (let i = 0; i < 20; i++) await immediate()
  const press = async (keys: readonly string[]) => {
    const times: number[] = []
    for (const [i, k] of keys.entries()) {
      const before = frame()
      const t = performance.now()
      r.stdin.write(k)
      await until(() => frame() !== before, `a new frame after key #${i + 1}`, 5000)
      times.push(performance.now() - t)
      // Ink re-attaches its input listener after each commit: a key written before that is lost.
      for (let j = 0; j < 5; j++) await immediate()
    }
    return times
  }
  // The list on the same model, measured the same way: a yardstick for the machine's load at the time.
  const list = await press([...Array(20).fill('j'), ...Array(20).fill('k')])
  const t0 = performance.now()
  r.stdin.write('g')
  await until(() => frame().includes('Graph ·'), 'the first frame of the graph')
  const first = performance.now() - t0
  const around = await press(walk)
  await press(['a'])
  const groups = await press([...Array(groupMoves).fill(RIGHT), ...Array(groupMoves).fill(LEFT)])
  r.unmount()
  return { first, around, groups, list }
}

function report(label: string, m: { first: number; around: number[]; groups: number[]; list: number[] }): void {
  const line = (xs: number[]) => `median ${pct(xs, 0.5).toFixed(1)} ms, p95 ${pct(xs, 0.95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`
  console.log(`${label}: g → first graph frame ${fmt(m.first)}  [target ≤ 100 ms]`)
  console.log(`  key → new frame, neighbourhood, ${m.around.length} moves: ${line(m.around)}  [target p95 ≤ 50 ms]`)
  console.log(`  key → new frame, collapsed groups, ${m.groups.length} moves: ${line(m.groups)}  [target p95 ≤ 50 ms]`)
  console.log(`  (the asset list before, j/k ${m.list.length} moves: ${line(m.list)})`)
}

export async function runGraph(ui: Ui): Promise<void> {
  console.log('## Graph view (g), 1,000 assets')
  // Along the layers and back: every key moves the selection.
  const walk = [...Array(49).fill(RIGHT), ...Array(49).fill(LEFT)]
  await measure(ui, new FakeModel(layeredAssets(100, 5)), /[●◐○▶✗] g0\/a/, [RIGHT, LEFT, RIGHT, LEFT], 2) // warm-up
  report('fake model data', await measure(ui, new FakeModel(layeredAssets(1000, 10)), /[●◐○▶✗] g0\/a/, walk))
  const p = makeProject(layeredDefinitions({ width: 10, layers: 100 }))
  try {
    const model = new WorkspaceModel({ open: workspaceOpener({ cwd: p.dir }), title: 'bench', executor: 'in-process' })
    await model.start()
    report('real workspace', await measure(ui, model, /[●◐○▶✗] l0\/a/, walk))
    await model.close()
  } finally {
    p.cleanup()
  }
}
