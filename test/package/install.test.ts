// The published package, end to end: `npm pack` (which builds dist/), the
// tarball installed into an empty project, then what a user does first —
// `strata init`, `strata materialize`, `strata why`, `tsc` on the project
// with strict settings, a plain `node` script on `strata-engine/engine`, and
// definitions written in JavaScript. No network:
//
// - `npm install --offline` resolves each dependency through its registry
//   document, which `npm ci` does not cache (it caches tarballs). The project
//   therefore starts with the lockfile npm would write for it: this
//   repository's production entries, with their tarball URLs and integrity,
//   so npm takes every tarball from the cache.
// - `--ignore-scripts`, and better-sqlite3's native addon copied from this
//   repository: compiling it takes a minute and a half on 2 cores. The two
//   versions are checked to be the same.
import assert from 'node:assert/strict'
import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import { REPO_ROOT } from '../integration/helpers.js'

const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
/** The flights example's packages: development dependencies of this repository, never of a user's project. */
const EXAMPLE_ONLY = ['vega-datasets', 'parquet-wasm', 'ml-xgboost', 'typescript', '@types/node', 'fast-check']

interface LockEntry {
  name?: string
  version: string
  resolved?: string
  dev?: boolean
  devOptional?: boolean
}

/** The environment of a user's shell: nothing of the `npm test` that runs this file. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }
  for (const key of Object.keys(env)) {
    if (/^npm_(package_|lifecycle_|command$|config_local_prefix$)/.test(key) || key === 'INIT_CWD' || key === 'STRATA_HOME') delete env[key]
  }
  return env
}

function run(cmd: string, args: string[], cwd: string, timeout = 120_000): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, env: userEnv(), encoding: 'utf8', timeout })
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} exited with ${r.status}${r.error ? ` (${r.error.message})` : ''}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`)
  return r
}

/** This repository's production dependency tree as the lockfile of a project that depends on the tarball. */
function seedLockfile(project: string, name: string): void {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }
  const registry = (process.env.npm_config_registry ?? 'https://registry.npmjs.org/').replace(/\/?$/, '/')
  const packages: Record<string, unknown> = { '': { name } }
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev || entry.devOptional) continue
    const pkg = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)
    packages[path] = { ...entry, resolved: entry.resolved ?? `${registry}${pkg}/-/${pkg.split('/').pop()}-${entry.version}.tgz` }
  }
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify({ name, lockfileVersion: 3, requires: true, packages }, null, 2))
}

describe('strata-engine installed from its tarball', () => {
  let tmp: string
  let project: string
  let packed: { filename: string; size: number; files: Array<{ path: string }> }
  const strata = (...args: string[]) => run('npx', ['--no', '--', 'strata', ...args], project)
  const readJson = (rel: string) => JSON.parse(readFileSync(join(project, rel), 'utf8'))
  /** The assets of the project's definitions.ts, as strata list sees them. */
  const assetKeys = () => (JSON.parse(strata('list', '--json').stdout) as { assets: Array<{ key: string }> }).assets.map((a) => a.key).sort()

  before(() => {
    tmp = realpathSync(mkdtempSync(join(tmpdir(), 'strata-package-')))
    project = join(tmp, 'project')
    mkdirSync(project)
    // Runs the prepare script: dist/ is built (or found up to date) first.
    const pack = run('npm', ['pack', '--json', '--pack-destination', tmp], REPO_ROOT)
    packed = (JSON.parse(pack.stdout) as (typeof packed)[])[0]!
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'first-project', private: true, type: 'module' }, null, 2))
    seedLockfile(project, 'first-project')
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(tmp, packed.filename)], project)
    const sqlite = (dir: string) => JSON.parse(readFileSync(join(dir, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')).version as string
    assert.equal(sqlite(project), sqlite(REPO_ROOT), 'the project must get the better-sqlite3 whose addon this repository built')
    const addon = join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')
    mkdirSync(join(project, addon, '..'), { recursive: true })
    copyFileSync(join(REPO_ROOT, addon), join(project, addon))
  })
  after(() => {
    if (tmp && !process.env.STRATA_KEEP_TEST_DIRS) rmSync(tmp, { recursive: true, force: true })
  })

  it('the tarball holds the compiled package and nothing of the repository: no sources, tests, examples, scripts or build state', () => {
    const paths = packed.files.map((f) => f.path)
    for (const required of ['package.json', 'README.md', 'ui-terminal/bin/strata.js', 'ui-terminal/bin/package.json', 'dist/assets/index.js', 'dist/assets/index.d.ts', 'dist/engine/index.js', 'dist/engine/index.d.ts', 'dist/ui-terminal/cli/main.js', 'dist/engine/executors/pool-worker.mjs', 'dist/engine/loader/hooks.mjs']) {
      assert.ok(paths.includes(required), `${required} is missing from the tarball`)
    }
    const unwanted = paths.filter((p) => !p.startsWith('dist/') && !['package.json', 'README.md', 'ui-terminal/bin/strata.js', 'ui-terminal/bin/package.json'].includes(p))
    assert.deepEqual(unwanted, [])
    assert.deepEqual(paths.filter((p) => /(^|\/)\.|\.tsbuildinfo$|\.d\.ts\.map$|(?<!\.d)\.tsx?$/.test(p)), [])
    // Only the declarations the entry points reach: the CLI and UI are no one's import.
    assert.deepEqual(paths.filter((p) => p.startsWith('dist/ui-terminal/') && p.endsWith('.d.ts')), [])
  })

  it('installs only what the engine, the CLI and the UI need', () => {
    for (const pkg of EXAMPLE_ONLY) assert.equal(existsSync(join(project, 'node_modules', pkg)), false, `${pkg} was installed`)
    assert.equal(readFileSync(join(project, 'node_modules', '.bin', 'strata'), 'utf8').split('\n')[0], '#!/usr/bin/env node')
  })

  it('strata init, materialize, why and --version run the compiled copy', () => {
    strata('init', '--yes')
    assert.ok(existsSync(join(project, 'definitions.ts')) && existsSync(join(project, 'tsconfig.json')))
    const keys = assetKeys()
    assert.ok(keys.length > 0)
    const result = JSON.parse(strata('materialize', '--stale', '--json').stdout) as { status: string; steps: Array<{ key: string; status: string }> }
    assert.equal(result.status, 'SUCCESS')
    assert.deepEqual([...new Set(result.steps.map((s) => s.key))].sort(), keys)
    assert.ok(result.steps.every((s) => s.status === 'SUCCESS'))
    const last = result.steps.at(-1)!.key // downstream of the rest
    assert.equal((JSON.parse(strata('why', last, '--json').stdout) as { status: string }).status, 'FRESH')
    assert.equal(strata('--version').stdout.trim(), readJson('node_modules/strata-engine/package.json').version)
  })

  it('the project type-checks: the tsconfig strata init wrote, and tsc --init\'s strictest settings with every declaration checked and no @types/node', () => {
    writeFileSync(
      join(project, 'script.ts'),
      `import { materialize, openWorkspace } from 'strata-engine/engine'\nconst ws = await openWorkspace({ defsFile: 'definitions.ts' })\nconst r = await materialize(ws, { stale: true })\nexport const status: string = r.status\nawait ws.close()\n`,
    )
    run(process.execPath, [TSC, '--noEmit', '-p', '.'], project)
    const strict = {
      compilerOptions: {
        module: 'nodenext',
        target: 'esnext',
        types: [],
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        verbatimModuleSyntax: true,
        isolatedModules: true,
        noUncheckedSideEffectImports: true,
        moduleDetection: 'force',
        skipLibCheck: false,
        noEmit: true,
      },
      files: ['definitions.ts', 'script.ts'],
    }
    writeFileSync(join(project, 'tsconfig.strict.json'), JSON.stringify(strict, null, 2))
    run(process.execPath, [TSC, '-p', 'tsconfig.strict.json'], project)
  })

  it('a plain node script opens the workspace and materializes, with the package\'s own files', () => {
    writeFileSync(
      join(project, 'script.mjs'),
      [
        `import { materialize, openWorkspace } from 'strata-engine/engine'`,
        `const ws = await openWorkspace({ defsFile: 'definitions.ts', home: '.strata-script' })`,
        `const r = await materialize(ws, { stale: true })`,
        `await ws.close()`,
        `const keys = [...new Set(r.steps.filter((s) => s.status === 'SUCCESS').map((s) => s.key))].sort()`,
        `console.log(JSON.stringify({ status: r.status, keys, engine: import.meta.resolve('strata-engine/engine') }))`,
      ].join('\n'),
    )
    const out = JSON.parse(run(process.execPath, ['script.mjs'], project).stdout) as { status: string; keys: string[]; engine: string }
    assert.equal(out.status, 'SUCCESS')
    assert.deepEqual(out.keys, assetKeys()) // a new home: everything built
    assert.equal(out.engine, pathToFileURL(join(project, 'node_modules', 'strata-engine', 'dist', 'engine', 'index.js')).href)
  })

  it('definitions in plain JavaScript (.mjs) work too, and import the compiled copy in the main thread and in pool workers', () => {
    writeFileSync(
      join(project, 'plain.mjs'),
      [
        `import { writeFileSync } from 'node:fs'`,
        `import { isMainThread } from 'node:worker_threads'`,
        `import { asset, defineDefinitions } from 'strata-engine'`,
        `writeFileSync(new URL(isMainThread ? './where-main.txt' : './where-worker.txt', import.meta.url), import.meta.resolve('strata-engine'))`,
        `export const numbers = asset({ key: 'numbers', compute: () => [1, 2, 3] })`,
        `export const total = asset({ key: 'total', ins: { numbers }, compute: (_ctx, { numbers }) => numbers.reduce((a, b) => a + b, 0) })`,
        `export default defineDefinitions({ assets: [numbers, total] })`,
      ].join('\n'),
    )
    const result = JSON.parse(strata('materialize', '-f', 'plain.mjs', '--home', '.strata-plain', '--executor', 'pool', '--json').stdout) as { status: string }
    assert.equal(result.status, 'SUCCESS')
    const compiled = pathToFileURL(join(project, 'node_modules', 'strata-engine', 'dist', 'assets', 'index.js')).href
    assert.equal(readFileSync(join(project, 'where-main.txt'), 'utf8'), compiled)
    assert.equal(readFileSync(join(project, 'where-worker.txt'), 'utf8'), compiled)
  })
})
