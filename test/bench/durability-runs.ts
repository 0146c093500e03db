// Whole runs with each object durability policy: a 200-asset layered graph of
// trivial steps (the per-step cost at its most visible) and 40 steps storing
// 1 MiB each, every run into an empty home so each step writes a new object.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { layeredDefinitions } from './graphs.js'
import { fmt, makeProject, timeCli } from './project.js'

const ROUNDS = 3

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

function withDurability(defs: string, durability: string): string {
  return defs.replace('defineDefinitions({ assets })', `defineDefinitions({ assets, durability: '${durability}' })`)
}

const GRAPHS: Array<{ label: string; defs: string }> = [
  { label: '200 trivial steps', defs: layeredDefinitions({ width: 10, layers: 20 }) },
  {
    label: '40 steps × 1 MiB',
    defs: layeredDefinitions({ width: 4, layers: 10, computeBody: "return { rows: 'x'.repeat(1024 * 1024 - 12) + Object.keys(inputs).length }" }),
  },
]

export async function materializeBench(_root: string): Promise<void> {
  console.log('materialize into an empty home (run time per step, median of 3; pool executor)')
  for (const { label, defs } of GRAPHS) {
    const perStep: Record<string, number[]> = { verify: [], fsync: [] }
    const projects = Object.fromEntries(Object.keys(perStep).map((d) => [d, makeProject(withDurability(defs, d))]))
    try {
      for (let round = 0; round < ROUNDS; round++) {
        // Alternating, so a busy moment on a shared machine hits both alike.
        for (const d of Object.keys(perStep)) {
          const { dir } = projects[d]!
          rmSync(join(dir, '.strata'), { recursive: true, force: true })
          const out = JSON.parse(timeCli(dir, ['materialize', '--json']).stdout) as { durationMs: number; steps: unknown[] }
          perStep[d]!.push(out.durationMs / out.steps.length)
        }
      }
    } finally {
      for (const p of Object.values(projects)) p.cleanup()
    }
    const verify = median(perStep.verify!)
    const fsync = median(perStep.fsync!)
    console.log(`  ${label.padEnd(20)} verify ${verify.toFixed(2)} ms/step   fsync ${fsync.toFixed(2)} ms/step   +${(((fsync - verify) / verify) * 100).toFixed(0)}% (${fmt(fsync - verify)}/step)`)
  }
}
