// `strata init` through the real CLI: a new folder becomes a project whose
// definitions materialize and type-check at once; a second run changes
// nothing; package.json fields set otherwise are changed only with --yes or a
// yes on a terminal; bad folders and package.json files are one coded line.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { DEFINITIONS_TS, SCRIPTS } from '../../ui-terminal/cli/init/templates.js'
import { expectExit, REPO_ROOT, runCli, STRATA_BIN, stepsByKey, assetsByKey, get, type CliResult } from '../integration/helpers.js'

let root: string
before(() => {
  root = mkdtempSync(join(tmpdir(), 'strata-init-'))
})
after(() => {
  if (!process.env.STRATA_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true })
})

let folders = 0
/** A new folder under the test's root, optionally with files in it. */
function folder(files: Record<string, string> = {}): string {
  const dir = join(root, `p${++folders}`)
  mkdirSync(dir)
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8')
const readJson = (dir: string, file: string) => JSON.parse(read(dir, file))

/** Every file of the folder (not node_modules) with its content and mtime. */
function snapshot(dir: string): Record<string, { text: string; mtimeMs: number }> {
  const out: Record<string, { text: string; mtimeMs: number }> = {}
  for (const name of readdirSync(dir)) if (name !== 'node_modules' && name !== '.strata') out[name] = { text: read(dir, name), mtimeMs: statSync(join(dir, name)).mtimeMs }
  return out
}

/** Links this repository as node_modules/strata-engine, as `npm install strata-engine` would install it. */
function linkStrata(dir: string, withNodeTypes = false): void {
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true })
  symlinkSync(REPO_ROOT, join(dir, 'node_modules', 'strata-engine'), 'dir')
  if (withNodeTypes) symlinkSync(join(REPO_ROOT, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'), 'dir')
}

/** Exit 2, one line on stderr with the code, nothing on stdout. */
function expectOneCodedLine(r: CliResult, code: string, pattern: RegExp): void {
  const shown = `\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`
  assert.equal(r.code, 2, `exit code ${r.code}${shown}`)
  assert.equal(r.stdout, '', shown)
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, shown)
  assert.ok(r.stderr.includes(`[${code}]`), shown)
  assert.match(r.stderr, pattern)
}

describe('strata init in a new folder', () => {
  let dir: string
  let first: CliResult
  before(async () => {
    first = expectExit(await runCli(['init', 'weather'], { cwd: root }), 0)
    dir = join(root, 'weather')
  })

  it('creates the folder with definitions.ts, tsconfig.json, package.json and .gitignore', () => {
    assert.equal(read(dir, 'definitions.ts'), DEFINITIONS_TS)
    const tsconfig = readJson(dir, 'tsconfig.json')
    assert.equal(tsconfig.compilerOptions.strict, true)
    assert.equal(tsconfig.compilerOptions.module, 'NodeNext')
    assert.equal(tsconfig.compilerOptions.moduleResolution, 'NodeNext')
    assert.deepEqual(readJson(dir, 'package.json'), { name: 'weather', private: true, type: 'module', scripts: SCRIPTS })
    assert.deepEqual(read(dir, '.gitignore').split('\n'), ['node_modules/', '.strata/', ''])
    assert.match(first.stdout, /Strata project in weather \(new folder\)/)
    assert.match(first.stdout, /created\s+definitions\.ts/)
  })

  it('prints the next commands: cd, install strata-engine (not a dependency yet), materialize, ui', () => {
    const next = first.stdout.split('Next:\n')[1]!.trim().split('\n').map((l) => l.trim())
    assert.deepEqual(next, ['cd weather', 'npm install strata-engine', 'npx strata materialize --stale', 'npx strata ui'])
  })

  it('the definitions materialize at once with the linked strata-engine: every step, and the check passes', async () => {
    linkStrata(dir, true)
    const run = expectExit(await runCli(['materialize', '--stale', '--json'], { cwd: dir }), 0)
    const steps = stepsByKey(run)
    assert.equal(run.json.steps.length, 15, 'seven days of raw/readings and of daily_stats, and weekly_report')
    assert.ok(run.json.steps.every((s: { status: string }) => s.status === 'SUCCESS'), run.stdout)
    assert.ok(steps.has('weekly_report'))
    const assets = assetsByKey(expectExit(await runCli(['list', '--json'], { cwd: dir }), 0))
    for (const key of ['raw/readings', 'daily_stats', 'weekly_report']) assert.equal(get(assets, key).status, 'FRESH', key)
    assert.deepEqual((get(assets, 'raw/readings') as unknown as { checks: unknown }).checks, { passed: 7, failed: 0, warned: 0 })
  })

  it('the definitions type-check with the tsconfig.json it wrote', () => {
    // --customConditions: strata-engine is linked to this repository's sources, not an installed build.
    const tsc = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir, '--pretty', 'false', '--customConditions', 'strata-source'], { encoding: 'utf8' })
    assert.equal(tsc.status, 0, `${tsc.stdout}${tsc.stderr}`)
  })

  it('a second run changes nothing, says so and exits 0; --json reports changed: false', async () => {
    const before = snapshot(dir)
    const again = expectExit(await runCli(['init'], { cwd: dir }), 0)
    assert.match(again.stdout, /^Nothing to change in \.: definitions\.ts, tsconfig\.json, package\.json and \.gitignore are already set up\./)
    const json = expectExit(await runCli(['init', dir, '--json'], { cwd: root }), 0).json
    assert.equal(json.changed, false)
    assert.deepEqual(json.files.map((f: { action: string }) => f.action), ['unchanged', 'unchanged', 'unchanged', 'unchanged'])
    assert.deepEqual(json.skipped, [])
    assert.deepEqual(snapshot(dir), before)
  })
})

describe('strata init in an existing project', () => {
  const CJS = `{\n    "name": "legacy",\n    "type": "commonjs",\n    "scripts": {\n        "ui": "vite"\n    },\n    "dependencies": {\n        "strata-engine": "^0.1.0"\n    }\n}\n`

  it('without a terminal or --yes, a conflicting field is left as it is, reported with how to apply it; the rest is added', async () => {
    const dir = folder({ 'package.json': CJS, 'definitions.ts': '// mine\n', '.gitignore': 'dist' })
    const r = expectExit(await runCli(['init'], { cwd: dir }), 0)
    const pkg = readJson(dir, 'package.json')
    assert.equal(pkg.type, 'commonjs')
    assert.equal(pkg.scripts.ui, 'vite')
    assert.deepEqual(pkg.scripts, { ui: 'vite', strata: 'strata', materialize: 'strata materialize --stale' })
    assert.deepEqual(Object.keys(pkg), ['name', 'type', 'scripts', 'dependencies'], 'existing keys keep their order')
    assert.match(read(dir, 'package.json'), /^ {4}"name"/m, 'the file keeps its 4-space indentation')
    assert.match(r.stdout, /Skipped \(package\.json already sets these otherwise\):/)
    assert.match(r.stdout, /type is "commonjs", Strata would set "module"/)
    assert.match(r.stdout, /scripts\.ui is "vite", Strata would set "strata ui"/)
    assert.match(r.stdout, /To apply: strata init --yes/)
    assert.equal(read(dir, 'definitions.ts'), '// mine\n', 'an existing definitions.ts is never overwritten')
    assert.equal(read(dir, '.gitignore'), 'dist\n.strata/\n', 'appended on a line of its own')
    // strata-engine is a dependency already, not yet installed here.
    assert.match(r.stdout, /Next:\n {2}npm install\n {2}npx strata materialize --stale\n {2}npx strata ui\n$/)

    const again = expectExit(await runCli(['init'], { cwd: dir }), 0)
    assert.match(again.stdout, /^Nothing changed in \.: the rest is set up, but package\.json still sets what is below otherwise\.\n\nSkipped/)
    const json = expectExit(await runCli(['init', '--json'], { cwd: dir }), 0).json
    assert.equal(json.changed, false)
    assert.deepEqual(
      json.skipped.map((s: { field: string; current: unknown; wanted: string; apply: string }) => [s.field, s.current, s.wanted, s.apply]),
      [['type', 'commonjs', 'module', 'strata init --yes'], ['scripts.ui', 'vite', 'strata ui', 'strata init --yes']],
    )
  })

  it('with --yes the conflicting fields are changed; other fields and key order stay', async () => {
    const dir = folder({ 'package.json': CJS })
    const r = expectExit(await runCli(['init', '--yes', '--json'], { cwd: dir }), 0)
    const pkg = readJson(dir, 'package.json')
    assert.equal(pkg.type, 'module')
    assert.deepEqual(pkg.scripts, { ui: 'strata ui', strata: 'strata', materialize: 'strata materialize --stale' })
    assert.deepEqual(pkg.dependencies, { 'strata-engine': '^0.1.0' })
    assert.deepEqual(Object.keys(pkg), ['name', 'type', 'scripts', 'dependencies'])
    assert.deepEqual(r.json.skipped, [])
    assert.deepEqual(r.json.files.find((f: { file: string }) => f.file === 'package.json').changes, ['scripts.strata', 'scripts.materialize', 'type', 'scripts.ui'])
  })

  it('a .gitignore that already ignores the state folder is kept; strata-engine installed: the next commands start with strata list', async () => {
    const dir = folder({ 'package.json': '{ "name": "ok", "type": "module", "devDependencies": { "strata-engine": "*" } }\n', '.gitignore': 'node_modules\n/.strata/\n' })
    linkStrata(dir)
    const r = expectExit(await runCli(['init', '--json'], { cwd: dir }), 0)
    assert.equal(read(dir, '.gitignore'), 'node_modules\n/.strata/\n')
    assert.equal(r.json.files.find((f: { file: string }) => f.file === '.gitignore').action, 'unchanged')
    assert.deepEqual(r.json.next, ['npx strata list', 'npx strata materialize --stale', 'npx strata ui'])
  })
})

describe('strata init on a terminal asks before changing a field', () => {
  const probe = spawnSync('script', ['--version'], { encoding: 'utf8' })

  /** Runs `strata init ...args` under `script` (a pseudo-terminal) and answers a question with `answer`. */
  function answerOnTerminal(dir: string, answer: string, args: string[] = []): Promise<string> {
    return new Promise((resolve, reject) => {
      const command = [process.execPath, STRATA_BIN, 'init', ...args].map((a) => JSON.stringify(a)).join(' ')
      const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] })
      let out = ''
      let answered = false
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`no question within 30 s:\n${out}`))
      }, 30_000)
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        out += c
        if (!answered && out.includes('[y/N]')) {
          answered = true
          child.stdin.write(`${answer}\r`)
        }
      })
      child.on('close', (code) => {
        clearTimeout(timer)
        child.stdin.destroy()
        if (code === 0) resolve(out)
        else reject(new Error(`exit ${code}:\n${out}`))
      })
    })
  }

  it('y changes "type"; Enter (no) keeps it and reports it skipped', async () => {
    if (probe.error) assert.fail('the terminal test needs script(1) from util-linux (apt-get install -y bsdutils)')
    const yes = folder({ 'package.json': '{ "name": "a", "type": "commonjs" }\n' })
    const out = await answerOnTerminal(yes, 'y')
    assert.match(out, /package\.json: type is "commonjs"; change it to "module"\? \(definitions are ES modules/)
    assert.equal(readJson(yes, 'package.json').type, 'module')
    assert.doesNotMatch(out, /Skipped/)

    const no = folder({ 'package.json': '{ "name": "b", "type": "commonjs" }\n' })
    const kept = await answerOnTerminal(no, '')
    assert.equal(readJson(no, 'package.json').type, 'commonjs')
    assert.match(kept, /Skipped[\s\S]*type is "commonjs"[\s\S]*To apply: strata init --yes/)

    // --json output is for programs: it never asks, even on a terminal.
    const json = await answerOnTerminal(no, 'y', ['--json'])
    assert.doesNotMatch(json, /\[y\/N\]/)
    assert.equal(readJson(no, 'package.json').type, 'commonjs')
    assert.match(json, /"skipped": \[\s*\{\s*"field": "type"/)
  })
})

describe('strata init refuses what it cannot set up', () => {
  it('a DIR that is a file, a package.json that is not JSON or whose scripts are not an object, extra arguments, --home', async () => {
    const dir = folder({ 'notes.txt': 'x' })
    expectOneCodedLine(await runCli(['init', 'notes.txt'], { cwd: dir }), 'STRATA_USAGE', /notes\.txt is a file, not a folder/)

    const broken = folder({ 'package.json': '{ "name": ' })
    expectOneCodedLine(await runCli(['init'], { cwd: broken }), 'STRATA_INVALID_PACKAGE_JSON', /package\.json is not valid JSON .*: fix it, then run strata init again/)
    assert.equal(read(broken, 'package.json'), '{ "name": ', 'left untouched')
    assert.deepEqual(readdirSync(broken), ['package.json'], 'nothing written')

    const scripts = folder({ 'package.json': '{ "scripts": ["build"] }' })
    expectOneCodedLine(await runCli(['init'], { cwd: scripts }), 'STRATA_INVALID_PACKAGE_JSON', /"scripts" must be an object/)

    expectOneCodedLine(await runCli(['init', 'a', 'b'], { cwd: root }), 'STRATA_USAGE', /at most one folder/)
    expectOneCodedLine(await runCli(['init', '--home', 'x'], { cwd: root }), 'STRATA_USAGE', /--home do not apply/)
  })

  it('--help describes it, and it is in strata --help', async () => {
    const help = expectExit(await runCli(['init', '--help']), 0)
    assert.match(help.stdout, /^strata init \[DIR\]/)
    assert.match(help.stdout, /-y, --yes/)
    assert.match(expectExit(await runCli(['--help']), 0).stdout, /^\s+init \[DIR\]\s+set up a project/m)
  })
})
