import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createProject, sleep, type Project, type Started } from '../integration/helpers.js'

const DAILY = `import { asset, dailyPartitions, defineDefinitions, eager } from 'strata-engine'
const days = dailyPartitions({ start: '2024-01-01' })
export const raw = asset({ key: 'raw/events', partitions: days, automation: eager(), compute: (ctx) => ({ day: ctx.partitionKey }) })
export const daily = asset({ key: 'features/daily', partitions: days, ins: { raw }, automation: eager(), compute: (_ctx, { raw }) => ({ from: raw.day }) })
export default defineDefinitions({ assets: [raw, daily] })
`

/** Resolves with the output so far once `pattern` appears in the process's stdout. */
async function waitForOutput(p: Started, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  let out = ''
  const deadline = Date.now() + timeoutMs
  p.child.stdout!.on('data', (c: Buffer | string) => (out += c.toString()))
  while (!pattern.test(out)) {
    if (Date.now() > deadline || p.child.exitCode !== null) throw new Error(`no ${pattern} in the daemon's output:\n${out}`)
    await sleep(50)
  }
  return out
}

test('end to end: strata daemon materializes the new partition when its clock passes midnight, and strata automation why explains it', async () => {
  const project = createProject(DAILY)
  try {
    const before = await project.ok(['daemon', '--now', '2024-01-10T23:59:00Z', '--tick-once'])
    assert.doesNotMatch(before.stdout, /launched/)
    const after = await project.ok(['daemon', '--now', '2024-01-11T00:01:00Z', '--tick-once'])
    assert.match(after.stdout, /launched run \w{8}… \(request 1\): raw\/events \[2024-01-10\] — eager\(\): requested 1 partition\(s\) \(2024-01-10\): missing/)
    assert.match(after.stdout, /run \w{8}… SUCCESS: raw\/events/)
    const status = await project.ok(['status', 'raw/events', '--json'])
    assert.equal(status.json.counts?.FRESH ?? status.json.partitions?.counts?.FRESH, 1, status.stdout)

    const why = await project.ok(['automation', 'why', 'raw/events', '--now', '2024-01-11T00:02:00Z'])
    assert.match(why.stdout, /raw\/events eager\(\)/)
    assert.match(why.stdout, /requested 1 partition\(s\) \(2024-01-10\): missing/)
    assert.match(why.stdout, /request #1 → run [0-9a-f-]{36} SUCCESS/)
    const downstream = await project.ok(['automation', 'why', 'features/daily', '--partition', '2024-01-10', '--json', '--now', '2024-01-11T00:02:00Z'])
    assert.equal(downstream.json.condition, 'eager()')
    assert.deepEqual(downstream.json.evaluations[0].partitions, [{ key: '2024-01-10', requested: false, text: 'upstream raw/events[2024-01-10] missing' }])
    // Now its upstream exists: the next tick requests it, and the explanation says so.
    assert.equal(downstream.json.now.requested[0], '2024-01-10')
    await project.ok(['daemon', '--now', '2024-01-11T00:03:00Z', '--tick-once'])
    const runs = await project.ok(['runs'])
    assert.match(runs.stdout, /LAUNCHED BY/)
    assert.match(runs.stdout, /condition:features\/daily\s+features\/daily/)
    assert.match(runs.stdout, /condition:raw\/events\s+raw\/events/)
    const list = await project.ok(['automation', 'list', '--json'])
    assert.deepEqual(list.json.conditions.map((c: { key: string; condition: string }) => [c.key, c.condition]), [['raw/events', 'eager()'], ['features/daily', 'eager()']])
    assert.equal(list.json.requests.length, 2)
    assert.equal(list.json.daemon, null)
  } finally {
    project.cleanup()
  }
})

test('a second daemon on the same home exits 2 naming the first one\'s pid; the first stops cleanly on SIGTERM', async () => {
  const project = createProject(DAILY)
  try {
    const first = project.start(['daemon', '--interval', '0.5'])
    const out = await waitForOutput(first, /strata daemon pid (\d+)/)
    const pid = /strata daemon pid (\d+)/.exec(out)![1]!
    const second = await project.run(['daemon'])
    assert.equal(second.code, 2, second.stderr)
    assert.match(second.stderr, new RegExp(`Another strata daemon holds the home .*: pid ${pid} on .*\\[STRATA_DAEMON_RUNNING\\]`))
    const listed = await project.ok(['automation', 'list', '--json'])
    assert.equal(listed.json.daemon.pid, Number(pid))
    first.child.kill('SIGTERM')
    const ended = await first.result
    assert.equal(ended.code, 0, ended.stderr)
    assert.match(ended.stdout, /strata daemon stopped \(interrupted\)/)
    // The lease was released: a new daemon starts at once.
    const again = await project.ok(['daemon', '--tick-once'])
    assert.match(again.stdout, /strata daemon pid \d+/)
  } finally {
    project.cleanup()
  }
})

test('a daemon killed with SIGKILL leaves its lease: the next one on the host takes it over at once', async () => {
  const project = createProject(DAILY)
  try {
    const first = project.start(['daemon', '--interval', '0.5'])
    const out = await waitForOutput(first, /strata daemon pid (\d+)/)
    const pid = /strata daemon pid (\d+)/.exec(out)![1]!
    first.child.kill('SIGKILL')
    await first.result
    const next = await project.ok(['daemon', '--tick-once'])
    assert.match(next.stdout, new RegExp(`took over from pid ${pid} on .*, which is gone`))
  } finally {
    project.cleanup()
  }
})

async function reloadProject(): Promise<Project> {
  return createProject(`import { asset, defineDefinitions, eager } from 'strata-engine'
export const a = asset({ key: 'a', automation: eager(), compute: () => 1 })
export default defineDefinitions({ assets: [a] })
`)
}

test('definitions are reloaded on save; a reload that fails keeps the last good definitions and says so', async () => {
  const project = await reloadProject()
  try {
    const daemon = project.start(['daemon', '--interval', '0.3'])
    await waitForOutput(daemon, /run \w{8}… SUCCESS: a/)
    project.writeDefs(`import { asset, defineDefinitions, eager } from 'strata-engine'
export const a = asset({ key: 'a', automation: eager(), compute: () => 1 })
export const broken = asset({ key: 'b', ins: { a }, compute: (_ctx, { a }) => a + ) })
export default defineDefinitions({ assets: [a, broken] })
`)
    await waitForOutput(daemon, /definitions failed to reload; keeping the last good ones: .*\[STRATA_DEFINITIONS_LOAD\]/)
    project.writeDefs(`import { asset, defineDefinitions, eager } from 'strata-engine'
export const a = asset({ key: 'a', automation: eager(), compute: () => 1 })
export const b = asset({ key: 'b', ins: { a }, automation: eager(), compute: (_ctx, { a }) => a + 1 })
export default defineDefinitions({ assets: [a, b] })
`)
    const out = await waitForOutput(daemon, /run \w{8}… SUCCESS: b/)
    assert.match(out, /definitions reloaded: 2 condition\(s\), 0 schedule\(s\), 0 sensor\(s\)/)
    daemon.child.kill('SIGTERM')
    assert.equal((await daemon.result).code, 0)
  } finally {
    project.cleanup()
  }
})

test('a definitions worker that exits (process.exit in a sensor) is replaced and the daemon goes on', async () => {
  const project = createProject(`import { existsSync, writeFileSync } from 'node:fs'
import { asset, defineDefinitions, sensor } from 'strata-engine'
const flag = new URL('./exited', import.meta.url)
export const a = asset({ key: 'a', compute: () => 1 })
const exits = sensor({ name: 'exits', intervalSeconds: 0.2, target: 'a', evaluate: () => {
  if (!existsSync(flag)) { writeFileSync(flag, ''); process.exit(3) }
  return { runRequests: [{ runKey: 'once' }] }
} })
export default defineDefinitions({ assets: [a], sensors: [exits] })
`)
  try {
    const daemon = project.start(['daemon', '--interval', '0.3'])
    const out = await waitForOutput(daemon, /run \w{8}… SUCCESS: a/)
    assert.match(out, /tick failed: The definitions worker exited with code 3/)
    assert.match(out, /definitions reloaded/)
    daemon.child.kill('SIGTERM')
    assert.equal((await daemon.result).code, 0)
  } finally {
    project.cleanup()
  }
})

test('usage errors are one coded line and exit 2', async () => {
  const project = await reloadProject()
  try {
    for (const [args, pattern] of [
      [['daemon', '--interval', '0'], /--interval takes a number of seconds > 0 \(got "0"\).*\[STRATA_USAGE\]/],
      [['daemon', '--now', 'tomorrow'], /--now takes an ISO date and time.*\[STRATA_USAGE\]/],
      [['daemon', 'extra'], /strata daemon takes no arguments.*\[STRATA_USAGE\]/],
      [['automation'], /say list or why KEY.*\[STRATA_USAGE\]/],
      [['automation', 'why'], /exactly one asset key.*\[STRATA_USAGE\]/],
      [['automation', 'why', 'nope'], /No asset "nope".*\[STRATA_UNKNOWN_ASSET\]/],
      [['automation', 'why', 'a', '--partition', 'x'], /"a" is not partitioned.*\[STRATA_(USAGE|NOT_PARTITIONED)\]/],
    ] as const) {
      const r = await project.run([...args])
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, pattern)
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    }
  } finally {
    project.cleanup()
  }
})
