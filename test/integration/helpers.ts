/**
 * Helpers for integration tests that drive the real `strata` CLI, as a user
 * would, on throwaway projects: a temp directory with a package.json
 * (`"type": "module"`), `node_modules/strata-engine` linked to this repository, and a
 * definitions file written by the test.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** The repository's `strata` bin, which runs the TypeScript sources. */
export const SOURCE_BIN = join(REPO_ROOT, 'ui-terminal', 'bin', 'strata.js')
/** The `strata` command under test: the sources' bin, or the compiled copy when test/run-tests.js has just built it (STRATA_TEST_BIN). */
export const STRATA_BIN = process.env.STRATA_TEST_BIN ?? SOURCE_BIN

/** Per-call limit: a hung CLI must fail its test instead of eating the whole budget. */
const DEFAULT_TIMEOUT_MS = 60_000

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** stdout parsed as JSON, or undefined when it is not JSON. */
  json: any
  args: string[]
}

export interface RunOptions {
  cwd?: string
  env?: Record<string, string | undefined>
  timeoutMs?: number
  /** The command to run. @defaultValue STRATA_BIN */
  bin?: string
}

export interface Started {
  child: ChildProcess
  result: Promise<CliResult>
}

function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }
  // The home must come from the project (or --home), never from the caller's shell.
  delete env.STRATA_HOME
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k]
    else env[k] = v
  }
  return env
}

/** Starts `node strata.js ...args`; `result` settles when the process exits. */
export function startCli(args: string[], opts: RunOptions = {}): Started {
  const child = spawn(process.execPath, [opts.bin ?? STRATA_BIN, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: cliEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c))
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c))
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const result = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`strata ${args.join(' ')} did not finish within ${timeoutMs} ms.\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      let json: unknown
      try {
        json = JSON.parse(stdout)
      } catch {
        json = undefined
      }
      resolve({ code, signal, stdout, stderr, json, args })
    })
  })
  return { child, result }
}

export function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  return startCli(args, opts).result
}

/** Asserts the exit code, showing what the command printed when it differs. */
export function expectExit(r: CliResult, code: number): CliResult {
  assert.equal(
    r.code,
    code,
    `strata ${r.args.join(' ')} exited with ${r.code}${r.signal ? ` (signal ${r.signal})` : ''}, expected ${code}.\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`,
  )
  return r
}

export interface Project {
  dir: string
  /** Default state directory: `.strata/` beside definitions.ts. */
  home: string
  /** Writes a file relative to the project directory (creating folders). */
  write(rel: string, text: string): void
  /** Rewrites definitions.ts. */
  writeDefs(text: string): void
  read(rel: string): string
  /** Runs the CLI in the project directory. */
  run(args: string[], opts?: Omit<RunOptions, 'cwd'>): Promise<CliResult>
  /** Runs the CLI and asserts its exit code. */
  ok(args: string[], code?: number, opts?: Omit<RunOptions, 'cwd'>): Promise<CliResult>
  start(args: string[], opts?: Omit<RunOptions, 'cwd'>): Started
  /** Reads a stored object (a `location` from lineage) as JSON. */
  readObject(location: string): any
  cleanup(): void
}

/**
 * A fresh project in a temp directory. `defs` becomes definitions.ts (omit it
 * for a project without one); `files` are extra files relative to the project.
 */
export function createProject(defs?: string, files: Record<string, string> = {}): Project {
  const dir = mkdtempSync(join(tmpdir(), 'strata-it-'))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'strata-it-project', private: true, type: 'module' }, null, 2))
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(REPO_ROOT, join(dir, 'node_modules', 'strata-engine'), 'dir')
  const write = (rel: string, text: string) => {
    const path = join(dir, rel)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, text)
  }
  if (defs !== undefined) write('definitions.ts', defs)
  for (const [rel, text] of Object.entries(files)) write(rel, text)
  const home = join(dir, '.strata')
  const project: Project = {
    dir,
    home,
    write,
    writeDefs: (text) => write('definitions.ts', text),
    read: (rel) => readFileSync(join(dir, rel), 'utf8'),
    run: (args, opts = {}) => runCli(args, { ...opts, cwd: dir }),
    ok: async (args, code = 0, opts = {}) => expectExit(await runCli(args, { ...opts, cwd: dir }), code),
    start: (args, opts = {}) => startCli(args, { ...opts, cwd: dir }),
    readObject: (location) => JSON.parse(readFileSync(join(home, location), 'utf8')),
    cleanup: () => {
      if (!process.env.STRATA_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true })
    },
  }
  return project
}

/** A step of `materialize --json` (schemas/materialize.schema.json): every field present, null when it does not apply. */
export interface StepJson {
  key: string
  partitionKeys: string[]
  status: 'SUCCESS' | 'FAILURE' | 'SKIPPED'
  dataVersion: string | null
  durationMs: number
  attempts: number
  skipReason: string | null
  blockedBy: string | null
  error: string | null
  errorCode: string | null
  checks: Array<{ name: string; passed: boolean; blocking: boolean; message: string | null }>
  models: Array<{ name: string; version: number; stage: string; kind: string; gate: { passed: boolean; reasons: string[] } | null }>
}

export interface AssetJson {
  key: string
  group: string
  /** FAILED when the last attempt failed, else `freshness`. */
  status: 'MISSING' | 'STALE' | 'FRESH' | 'FAILED'
  freshness: 'MISSING' | 'STALE' | 'FRESH'
  failure: { message: string; runId: string; at: string } | null
  reasons: string[]
  reasonDetails: Array<{ kind: string; [k: string]: unknown }>
  codeVersion: string
  dataVersion: string | null
  lastRunId: string | null
}

/** Steps of a `materialize --json` result by asset key. */
export function stepsByKey(r: CliResult): Map<string, StepJson> {
  assert.ok(r.json && Array.isArray(r.json.steps), `expected materialize --json output, got:\n${r.stdout}\n${r.stderr}`)
  return new Map((r.json.steps as StepJson[]).map((s) => [s.key, s]))
}

/** Assets of a `list --json` result by key. */
export function assetsByKey(r: CliResult): Map<string, AssetJson> {
  assert.ok(r.json && Array.isArray(r.json.assets), `expected list --json output, got:\n${r.stdout}\n${r.stderr}`)
  return new Map((r.json.assets as AssetJson[]).map((a) => [a.key, a]))
}

export function get<K, V>(map: Map<K, V>, key: K): V {
  const v = map.get(key)
  assert.ok(v !== undefined, `missing ${String(key)} in [${[...map.keys()].join(', ')}]`)
  return v
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** A new temp folder that lasts as long as this process (each test file runs in one of its own), whatever the tests' own clean-up does. */
export function processTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Runs `fn` on a fresh project and always removes it. */
export async function withProject(defs: string, fn: (p: Project) => Promise<void>): Promise<void> {
  const p = createProject(defs)
  try {
    await fn(p)
  } finally {
    p.cleanup()
  }
}

/** Lines `asset partition` appended by computes to log.txt in the project (cwd of the CLI). */
export function logLines(p: Project): string[] {
  const path = join(p.dir, 'log.txt')
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : []
}
