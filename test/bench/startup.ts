// CLI start-up figures: `strata --help` and `strata list` on examples/hello,
// with the TypeScript cache warm (the usual case), cold (an empty cache
// folder each time: compile and write everything) and refused (a folder
// writable by others: compile everything, write nothing).
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const RUNS = 7
const COMMANDS: Record<string, string[]> = {
  '--help': ['--help'],
  'list -f examples/hello/definitions.ts': ['list', '-f', 'examples/hello/definitions.ts'],
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

function time(args: string[], cacheDir: string): number {
  const t = performance.now()
  const child = spawnSync(process.execPath, ['ui-terminal/bin/strata.js', ...args], { cwd: ROOT, env: { ...process.env, STRATA_TS_CACHE: cacheDir }, encoding: 'utf8' })
  const ms = performance.now() - t
  if (child.status !== 0) throw new Error(`strata ${args.join(' ')} exited ${child.status}: ${child.stderr}`)
  return ms
}

export async function run(): Promise<void> {
  console.log('## CLI start-up (median of %d runs, ms)', RUNS)
  const tmp = mkdtempSync(join(tmpdir(), 'strata-bench-startup-'))
  try {
    const warm = join(tmp, 'warm')
    const refused = join(tmp, 'refused')
    mkdirSync(refused)
    chmodSync(refused, 0o777)
    let fresh = 0
    console.log(`${'command'.padEnd(40)} ${'warm'.padStart(6)} ${'cold'.padStart(6)} ${'refused'.padStart(8)}`)
    for (const [name, args] of Object.entries(COMMANDS)) {
      time(args, warm)
      const w: number[] = []
      const c: number[] = []
      const r: number[] = []
      for (let i = 0; i < RUNS; i++) {
        w.push(time(args, warm))
        c.push(time(args, join(tmp, `cold-${fresh++}`)))
        r.push(time(args, refused))
      }
      console.log(`${name.padEnd(40)} ${median(w).toFixed(0).padStart(6)} ${median(c).toFixed(0).padStart(6)} ${median(r).toFixed(0).padStart(8)}`)
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}
