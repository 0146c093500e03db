// Runs every test/**/*.test.ts(x) with node's test runner. Node 20 has no
// globs for --test, and given a folder it silently runs nothing, so the file
// list is built here and a run that executed zero tests fails.
import { spawn, spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const filters = process.argv.slice(2)

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

const files = collect(join(root, 'test'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()
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

const child = spawn(process.execPath, ['--import', './engine/loader/auto.mjs', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' },
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
child.on('close', (code) => {
  const last = /^ℹ tests (\d+)$/.exec(pending.trim())
  if (last) count = Number(last[1])
  if (count === 0) {
    console.error('No tests ran: failing on purpose.')
    process.exit(1)
  }
  process.exit(code ?? 1)
})
