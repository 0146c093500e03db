// The published package against the sources: CLI start-up of `strata --help`
// and `strata list` on examples/hello, run from this repository (TypeScript
// through the loader, its cache warm) and from the compiled copy (dist/, as
// installed: node_modules/strata-engine holding package.json, the bin and
// dist/ only, beside the same dependencies). dist/ is brought up to date
// first; the build prints its own time.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const RUNS = 9
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** CPU time of this process's finished children (user + system), in ms: fields cutime and cstime of /proc/self/stat, in clock ticks of 10 ms. */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[13]) + Number(fields[14])) * 10
}

/** Wall and CPU time of one CLI run: on a shared machine the CPU time is the steadier figure. */
function time(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): { wall: number; cpu: number } {
  const cpu = childrenCpuMs()
  const t = performance.now()
  const child = spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8' })
  const wall = performance.now() - t
  if (child.status !== 0) throw new Error(`strata ${args.join(' ')} exited ${child.status}: ${child.stderr}`)
  return { wall, cpu: childrenCpuMs() - cpu }
}

/** A project with strata-engine installed as the tarball would install it; the dependencies are this repository's. */
function installCompiled(dir: string): string {
  const pkg = join(dir, 'node_modules', 'strata-engine')
  mkdirSync(join(pkg, 'ui-terminal', 'bin'), { recursive: true })
  cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'))
  cpSync(join(ROOT, 'ui-terminal', 'bin', 'strata.js'), join(pkg, 'ui-terminal', 'bin', 'strata.js'))
  cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true, filter: (src) => !src.includes('.declarations') })
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name !== 'strata-engine' && !name.startsWith('.')) symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name), 'dir')
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bench-project', private: true, type: 'module' }))
  cpSync(join(ROOT, 'examples', 'hello', 'definitions.ts'), join(dir, 'definitions.ts'))
  return join(pkg, 'ui-terminal', 'bin', 'strata.js')
}

export async function run(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'strata-bench-package-'))
  try {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' })
    if (build.status !== 0) throw new Error(`the build failed:\n${build.stderr}`)
    console.log(build.stderr.trim())

    const project = join(tmp, 'project')
    const compiledBin = installCompiled(project)
    const env = { ...process.env, STRATA_TS_CACHE: join(tmp, 'ts-cache') }
    const cases = {
      source: { bin: join(ROOT, 'ui-terminal', 'bin', 'strata.js'), cwd: ROOT, defs: 'examples/hello/definitions.ts' },
      compiled: { bin: compiledBin, cwd: project, defs: 'definitions.ts' },
    }
    console.log('## CLI start-up, sources vs compiled package (median of %d runs, ms; TypeScript cache warm; CPU = user + system)', RUNS)
    console.log(`${'command'.padEnd(40)} ${'source wall'.padStart(12)} ${'dist wall'.padStart(10)} ${'source CPU'.padStart(11)} ${'dist CPU'.padStart(9)}`)
    for (const [name, args] of Object.entries({ '--help': () => ['--help'], 'list -f examples/hello/definitions.ts': (defs: string, home: string) => ['list', '-f', defs, '--home', home] })) {
      const ms: Record<string, Array<{ wall: number; cpu: number }>> = { source: [], compiled: [] }
      for (const [which, c] of Object.entries(cases)) time(c.bin, args(c.defs, join(tmp, `home-${which}`)), c.cwd, env) // warms the cache, creates the home
      // Interleaved, so both sides see the same load on a shared machine.
      for (let i = 0; i < RUNS; i++) {
        for (const [which, c] of Object.entries(cases)) ms[which]!.push(time(c.bin, args(c.defs, join(tmp, `home-${which}`)), c.cwd, env))
      }
      const col = (which: string, k: 'wall' | 'cpu', width: number) => median(ms[which]!.map((m) => m[k])).toFixed(0).padStart(width)
      console.log(`${name.padEnd(40)} ${col('source', 'wall', 12)} ${col('compiled', 'wall', 10)} ${col('source', 'cpu', 11)} ${col('compiled', 'cpu', 9)}`)
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}
