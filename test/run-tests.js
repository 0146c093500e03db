// Runs every test/**/*.test.ts(x) with node's test runner. Node 20 has no
// globs for --test, and given a folder it silently runs nothing, so the file
// list is built here and a run that executed zero tests fails.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const args = process.argv.slice(2)
// --record-times: after a full run, write each file's time to test/file-times.json (commit it when the suite's shape changes).
const recordTimes = args.includes('--record-times')
const filters = args.filter((a) => a !== '--record-times')
const TIMES_PATH = join(root, 'test', 'file-times.json')
if (recordTimes && filters.length > 0) {
  console.error('--record-times records a full run: drop the file filters.')
  process.exit(1)
}

function collect(dir) {
  const out = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) {
      if (name !== 'bench' && name !== 'fixtures' && name !== 'node_modules') out.push(...collect(path))
    } else if (/\.test\.tsx?$/.test(name)) out.push(path)
  }
  return out
}

/** Seconds each file took in a recorded full run (test/file-times.json), to start the longest first. */
function knownTimes() {
  try {
    return JSON.parse(readFileSync(TIMES_PATH, 'utf8'))
  } catch {
    return {}
  }
}

// Longest first: files run a few at a time, and a long file started last
// would keep the whole run waiting on it alone. A file not recorded yet
// counts as 10 s.
const times = knownTimes()
const files = collect(join(root, 'test'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()
  .sort((a, b) => (times[b] ?? 10) - (times[a] ?? 10))
if (files.length === 0) {
  console.error(`No test files matched ${filters.length ? filters.join(', ') : 'test/**/*.test.ts'}.`)
  process.exit(1)
}

// Three files at a time: most tests wait on child processes, servers or
// timers, so even 2 cores finish the suite in well under half the serial time.
const concurrency = Number(process.env.STRATA_TEST_CONCURRENCY ?? 3)
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`STRATA_TEST_CONCURRENCY must be a positive integer, got ${JSON.stringify(process.env.STRATA_TEST_CONCURRENCY)}.`)
  process.exit(1)
}

// The whole suite needs PostgreSQL and Redis: say so up front, once, rather
// than through a hundred connection errors.
if (filters.length === 0) {
  const check = spawnSync(process.execPath, ['scripts/check-services.mjs'], { cwd: root, stdio: 'inherit' })
  if (check.status !== 0) process.exit(1)
}

// The tests that run the `strata` command run the compiled copy (dist/), as
// users of the package do: a start-up there costs ~30% less CPU than from
// the sources through the module hooks, and the suite is CPU-bound. The
// build is incremental (a second or so when nothing changed); if the
// sources do not compile, the tests run the command from the sources.
const env = { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' }
if (env.STRATA_TEST_BIN === undefined) {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' })
  if (build.status === 0) env.STRATA_TEST_BIN = join(root, 'dist', 'ui-terminal', 'cli', 'main.js')
  else console.log(`ℹ dist/ did not build, so the tests run strata from the sources:\n${(build.stdout + build.stderr).trim()}`)
}

const timesDir = mkdtempSync(join(tmpdir(), 'strata-test-times-'))
const timesFile = join(timesDir, 'times.jsonl')
const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=./test/file-times-reporter.mjs', `--test-reporter-destination=${timesFile}`]
const child = spawn(process.execPath, ['--import', './engine/loader/auto.mjs', '--test', `--test-concurrency=${concurrency}`, ...reporters, ...files], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  env,
})
// The summary line can be followed by pages of failure details, so the count
// is taken from the stream as it passes (a line may span two chunks).
let pending = ''
let count = 0
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk)
  const lines = (pending + chunk.toString()).split('\n')
  pending = lines.pop() ?? ''
  for (const line of lines) {
    const tests = /^ℹ tests (\d+)$/.exec(line.trim())
    if (tests) count = Number(tests[1])
  }
})
/** Each file's run time, as the file-times reporter wrote it; none if the run was stopped before the reporter ended. */
function measuredTimes() {
  try {
    return readFileSync(timesFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line))
  } catch {
    return []
  } finally {
    rmSync(timesDir, { recursive: true, force: true })
  }
}

/** The slowest files, for whoever has to keep the suite within its time budget; with --record-times, every file's time. */
function reportTimes(measured) {
  if (recordTimes && measured.length > 0) {
    const record = Object.fromEntries(measured.map((t) => [relative(root, t.file), Math.round(t.ms / 100) / 10]).sort(([a], [b]) => a.localeCompare(b)))
    writeFileSync(TIMES_PATH, `${JSON.stringify(record, null, 2)}\n`)
    console.log(`ℹ wrote ${relative(root, TIMES_PATH)} (${measured.length} files)`)
  }
  if (files.length < 10 || measured.length === 0) return
  measured.sort((a, b) => b.ms - a.ms)
  const total = measured.reduce((sum, t) => sum + t.ms, 0)
  console.log(`ℹ slowest files (${(total / 1000).toFixed(0)} s of tests in all, ${concurrency} files at a time):`)
  for (const t of measured.slice(0, 8)) console.log(`ℹ   ${(t.ms / 1000).toFixed(1).padStart(6)} s  ${relative(root, t.file)}`)
}

child.on('close', (code) => {
  reportTimes(measuredTimes())
  const last = /^ℹ tests (\d+)$/.exec(pending.trim())
  if (last) count = Number(last[1])
  if (count === 0) {
    console.error('No tests ran: failing on purpose.')
    process.exit(1)
  }
  process.exit(code ?? 1)
})
