// What automatic code versions cost when definitions load (`strata list`,
// every command, every pool worker): 1,000 assets across 50 modules, each
// compute calling helpers in other modules. Timed in fresh processes, as a
// command runs: nothing changed since the last command (the usual case: the
// project's components are read back), the first command after a helper
// module was edited (that module is parsed again and every compute's
// components derived again), and nothing cached at all (the first load ever).
import { spawnSync } from 'node:child_process'
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const HELPER_MODULES = 10
const ASSET_MODULES = 40
const ASSETS_PER_MODULE = 25
const RUNS = 5
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

function writeProject(dir: string): void {
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  symlinkSync(ROOT, join(dir, 'node_modules', 'strata-engine'), 'dir')
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }))
  for (let h = 0; h < HELPER_MODULES; h++) {
    const lines = [h > 0 ? `import { h${h - 1}f0 } from './helpers${h - 1}.js'` : '', `export const K${h} = ${h + 1}`]
    for (let f = 0; f < 10; f++) {
      const uses = h > 0 && f === 0 ? `h${h - 1}f0(x)` : 'x'
      lines.push(`/** Helper ${f} of module ${h}. */\nexport function h${h}f${f}(x: number): number {\n  // scaled by the module constant\n  return ${uses} * K${h} + ${f}\n}`)
    }
    writeFileSync(join(dir, `helpers${h}.ts`), lines.join('\n') + '\n')
  }
  const imports: string[] = []
  const names: string[] = []
  for (let m = 0; m < ASSET_MODULES; m++) {
    const a = m % HELPER_MODULES
    const b = (m + 3) % HELPER_MODULES
    const lines = [`import { asset } from 'strata-engine'`, `import { h${a}f1, h${a}f2 } from './helpers${a}.js'`, `import { h${b}f0 } from './helpers${b}.js'`]
    const keys: string[] = []
    for (let i = 0; i < ASSETS_PER_MODULE; i++) {
      const ins = i > 0 ? `ins: { prev: m${m}a${i - 1} },` : ''
      // Each compute's text is its own, as in a real project.
      const n = m * ASSETS_PER_MODULE + i
      const body = i > 0 ? `prev.map((x: number) => h${a}f${1 + (i % 2)}(x) + h${b}f0(${n}))` : `[h${a}f1(${m}), h${b}f0(${n})]`
      lines.push(`export const m${m}a${i} = asset({ key: 'group${m}/asset${i}', ${ins} compute: (_ctx, { prev }: { prev: number[] }) => ${body} })`)
      keys.push(`m${m}a${i}`)
    }
    lines.push(`export const assets${m} = [${keys.join(', ')}]`)
    writeFileSync(join(dir, `assets${m}.ts`), lines.join('\n') + '\n')
    imports.push(`import { assets${m} } from './assets${m}.js'`)
    names.push(`...assets${m}`)
  }
  writeFileSync(join(dir, 'definitions.ts'), `import { defineDefinitions } from 'strata-engine'\n${imports.join('\n')}\nexport default defineDefinitions({ assets: [${names.join(', ')}] })\n`)
}

// Imports the definitions module as the engine does, then times only the version assignment.
const CHILD = `
import { pathToFileURL } from 'node:url'
const [defsPath, root] = process.argv.slice(1)
const mod = await import(pathToFileURL(defsPath).href)
const { withCodeVersions } = await import(pathToFileURL(root + 'engine/versioning/versions.ts').href)
const t = performance.now()
const defs = withCodeVersions(mod.default, defsPath)
const ms = performance.now() - t
process.stdout.write(JSON.stringify({ ms, assets: defs.assets.length }))
`

function timeLoad(defsPath: string, cache: string): number {
  const r = spawnSync(process.execPath, ['--import', join(ROOT, 'engine/loader/auto.mjs'), '--input-type=module', '-e', CHILD, defsPath, ROOT], {
    env: { ...process.env, STRATA_TS_CACHE: cache },
    encoding: 'utf8',
  })
  if (r.status !== 0) throw new Error(`version assignment failed: ${r.stderr}`)
  const out = JSON.parse(r.stdout) as { ms: number; assets: number }
  if (out.assets !== ASSET_MODULES * ASSETS_PER_MODULE) throw new Error(`expected ${ASSET_MODULES * ASSETS_PER_MODULE} assets, got ${out.assets}`)
  return out.ms
}

function timeList(dir: string, cache: string): number {
  const t = performance.now()
  const r = spawnSync(process.execPath, [join(ROOT, 'ui-terminal/bin/strata.js'), 'list', '--json'], { cwd: dir, env: { ...process.env, STRATA_TS_CACHE: cache }, encoding: 'utf8', maxBuffer: 64 << 20 })
  if (r.status !== 0) throw new Error(`strata list failed: ${r.stderr}`)
  return performance.now() - t
}

export async function run(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'strata-bench-code-versions-'))
  try {
    const dir = join(tmp, 'project')
    writeProject(dir)
    const defsPath = join(dir, 'definitions.ts')
    const warm = join(tmp, 'cache')
    timeLoad(defsPath, warm)
    const cached: number[] = []
    const edited: number[] = []
    const cold: number[] = []
    for (let i = 0; i < RUNS; i++) {
      cached.push(timeLoad(defsPath, warm))
      appendFileSync(join(dir, `helpers${i % HELPER_MODULES}.ts`), `export const edit${i} = ${i}\n`)
      edited.push(timeLoad(defsPath, warm))
      cold.push(timeLoad(defsPath, join(tmp, `cold-${i}`)))
    }
    const list: number[] = []
    for (let i = 0; i < RUNS; i++) list.push(timeList(dir, warm))
    const n = ASSET_MODULES * ASSETS_PER_MODULE
    console.log(`## Code versions: ${n} assets in ${ASSET_MODULES + HELPER_MODULES + 1} modules (median of ${RUNS} fresh processes, ms)`)
    console.log(`versions, nothing changed since the last command  ${median(cached).toFixed(1).padStart(8)}`)
    console.log(`versions, first command after a helper edit       ${median(edited).toFixed(1).padStart(8)}`)
    console.log(`versions, nothing cached (first load ever)        ${median(cold).toFixed(1).padStart(8)}`)
    console.log(`strata list --json, whole command (for scale)     ${median(list).toFixed(1).padStart(8)}`)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}
