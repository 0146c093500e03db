// The TypeScript cache, through real processes: where it lives, that it is
// private, that it is used, and that nothing in it runs unless it is this
// user's own verified output.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { encodeEntry, entryFile, entryKey } from '../../engine/loader/cache-entry.mjs'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const AUTO = pathToFileURL(join(ROOT, 'engine/loader/auto.mjs')).href
const REGISTER = pathToFileURL(join(ROOT, 'engine/loader/register.mjs')).href

const HELPER = `export const helper = (label: string): string => label.toUpperCase()\n`
const PROBE = `import { helper } from './helper.js'\nconst label: string = helper('real source')\nconsole.log(label)\n`
// What an attacker would plant under the probe's entry name: it leaves a
// marker file behind if it is ever run.
const PLANTED = `import { writeFileSync } from 'node:fs'\nwriteFileSync(process.env.MARKER_FILE, 'planted code ran')\nconsole.log('PLANTED')\n`

interface Sandbox {
  root: string
  home: string
  tmp: string
  marker: string
  probe: string
  helper: string
  cleanup(): void
}

function sandbox(): Sandbox {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'strata-loader-')))
  const home = join(root, 'home')
  const tmp = join(root, 'tmp')
  const src = join(root, 'src')
  for (const dir of [home, tmp, src]) mkdirSync(dir)
  writeFileSync(join(src, 'helper.ts'), HELPER)
  writeFileSync(join(src, 'probe.ts'), PROBE)
  return { root, home, tmp, marker: join(root, 'marker'), probe: join(src, 'probe.ts'), helper: join(src, 'helper.ts'), cleanup: () => rmSync(root, { recursive: true, force: true }) }
}

interface Run {
  status: number | null
  stdout: string
  /** stderr without the debug lines */
  warnings: string[]
  /** what the cache did per file: hit, miss, invalid, uncached, unwritable */
  events: Map<string, string[]>
}

function run(box: Sandbox, env: Record<string, string> = {}, script = box.probe): Run {
  const base = { ...process.env }
  for (const name of ['STRATA_TS_CACHE', 'XDG_CACHE_HOME', 'STRATA_TS_CACHE_DEBUG']) delete base[name]
  const child = spawnSync(process.execPath, ['--import', AUTO, script], {
    cwd: box.root,
    encoding: 'utf8',
    env: { ...base, HOME: box.home, TMPDIR: box.tmp, MARKER_FILE: box.marker, STRATA_TS_CACHE_DEBUG: '1', ...env },
  })
  const events = new Map<string, string[]>()
  const warnings: string[] = []
  for (const line of child.stderr.split('\n').filter(Boolean)) {
    const m = /^strata ts-cache: (\S+) (.+)$/.exec(line)
    if (!m) warnings.push(line)
    else events.set(m[2]!, [...(events.get(m[2]!) ?? []), m[1]!])
  }
  return { status: child.status, stdout: child.stdout, warnings, events }
}

const mode = (path: string) => statSync(path).mode & 0o777
const probeEntry = (box: Sandbox, dir: string) => entryFile(dir, entryKey(box.probe, PROBE))
const helperEntry = (box: Sandbox, dir: string) => entryFile(dir, entryKey(box.helper, HELPER))

function assertRealSourceRan(box: Sandbox, r: Run) {
  assert.equal(r.status, 0, r.warnings.join('\n'))
  assert.equal(r.stdout, 'REAL SOURCE\n')
  assert.equal(existsSync(box.marker), false, 'the planted entry ran')
}

test('by default the cache is ~/.cache/strata, created 0700 with 0600 entries, and a second run uses it', () => {
  const box = sandbox()
  try {
    const first = run(box)
    assertRealSourceRan(box, first)
    assert.deepEqual(first.warnings, [])
    assert.deepEqual(first.events.get(box.probe), ['miss'])
    assert.deepEqual(first.events.get(box.helper), ['miss'])

    const dir = join(box.home, '.cache', 'strata')
    assert.equal(mode(dir), 0o700)
    assert.deepEqual(readdirSync(dir).sort(), [probeEntry(box, dir), helperEntry(box, dir)].map((f) => f.slice(dir.length + 1)).sort())
    for (const name of readdirSync(dir)) assert.equal(mode(join(dir, name)), 0o600, name)
    assert.equal(existsSync(join(box.tmp, 'strata-ts-cache')), false, 'nothing is cached in the shared temporary folder')

    const before = readdirSync(dir).map((name) => statSync(join(dir, name)).mtimeMs)
    const second = run(box)
    assertRealSourceRan(box, second)
    assert.deepEqual(second.events.get(box.probe), ['hit'])
    assert.deepEqual(second.events.get(box.helper), ['hit'])
    assert.deepEqual(readdirSync(dir).map((name) => statSync(join(dir, name)).mtimeMs), before, 'entries were not rewritten')
  } finally {
    box.cleanup()
  }
})

test('XDG_CACHE_HOME/strata when XDG_CACHE_HOME is absolute; a relative one is ignored', () => {
  const box = sandbox()
  try {
    const xdg = join(box.root, 'xdg')
    assertRealSourceRan(box, run(box, { XDG_CACHE_HOME: xdg }))
    assert.equal(mode(join(xdg, 'strata')), 0o700)
    assert.ok(existsSync(probeEntry(box, join(xdg, 'strata'))))
    assert.equal(existsSync(join(box.home, '.cache')), false)

    assertRealSourceRan(box, run(box, { XDG_CACHE_HOME: 'relative/cache' }))
    assert.ok(existsSync(probeEntry(box, join(box.home, '.cache', 'strata'))))
    assert.equal(existsSync(join(box.root, 'relative')), false)
  } finally {
    box.cleanup()
  }
})

test('STRATA_TS_CACHE overrides the location and its missing folders are created 0700', () => {
  const box = sandbox()
  try {
    const dir = join(box.root, 'custom', 'cache')
    const r = run(box, { STRATA_TS_CACHE: dir })
    assertRealSourceRan(box, r)
    assert.deepEqual(r.warnings, [])
    assert.equal(mode(dir), 0o700)
    assert.equal(mode(probeEntry(box, dir)), 0o600)
    assert.equal(existsSync(join(box.home, '.cache')), false)
  } finally {
    box.cleanup()
  }
})

test('a planted entry with the right name and foreign content is not run, and is replaced by the real output', () => {
  const box = sandbox()
  try {
    const dir = join(box.root, 'cache')
    assertRealSourceRan(box, run(box, { STRATA_TS_CACHE: dir }))
    const entry = probeEntry(box, dir)
    const genuine = readFileSync(entry, 'utf8')

    writeFileSync(entry, PLANTED)
    const r = run(box, { STRATA_TS_CACHE: dir })
    assertRealSourceRan(box, r)
    assert.deepEqual(r.events.get(box.probe), ['invalid'])
    assert.deepEqual(r.events.get(box.helper), ['hit'])
    assert.equal(readFileSync(entry, 'utf8'), genuine)
    assert.equal(mode(entry), 0o600)

    assert.deepEqual(run(box, { STRATA_TS_CACHE: dir }).events.get(box.probe), ['hit'])
  } finally {
    box.cleanup()
  }
})

test('an entry whose output no longer matches its output hash is ignored and rewritten', () => {
  const box = sandbox()
  try {
    const dir = join(box.root, 'cache')
    assertRealSourceRan(box, run(box, { STRATA_TS_CACHE: dir }))
    const entry = probeEntry(box, dir)
    const genuine = readFileSync(entry, 'utf8')

    const edited = genuine.replace(`'real source'`, `'edited'`)
    assert.notEqual(edited, genuine)
    writeFileSync(entry, edited)
    const r = run(box, { STRATA_TS_CACHE: dir })
    assertRealSourceRan(box, r)
    assert.deepEqual(r.events.get(box.probe), ['invalid'])
    assert.equal(readFileSync(entry, 'utf8'), genuine)
  } finally {
    box.cleanup()
  }
})

test("an intact entry of another source (its source hash differs from its name) is ignored and rewritten", () => {
  const box = sandbox()
  try {
    const dir = join(box.root, 'cache')
    assertRealSourceRan(box, run(box, { STRATA_TS_CACHE: dir }))
    const entry = probeEntry(box, dir)
    const genuine = readFileSync(entry, 'utf8')

    writeFileSync(entry, readFileSync(helperEntry(box, dir)))
    const r = run(box, { STRATA_TS_CACHE: dir })
    assertRealSourceRan(box, r)
    assert.deepEqual(r.events.get(box.probe), ['invalid'])
    assert.equal(readFileSync(entry, 'utf8'), genuine)
  } finally {
    box.cleanup()
  }
})

// A correctly hashed planted entry: the hashes catch damage, not intent, so
// only the folder check can keep this one out.
function plantValidEntry(box: Sandbox, dir: string) {
  writeFileSync(probeEntry(box, dir), encodeEntry(entryKey(box.probe, PROBE), PLANTED))
}

test('control: a correctly hashed planted entry in a private folder is run (so the folder checks below are what stop it)', () => {
  const box = sandbox()
  try {
    const dir = join(box.root, 'cache')
    mkdirSync(dir, { mode: 0o700 })
    plantValidEntry(box, dir)
    const r = run(box, { STRATA_TS_CACHE: dir })
    assert.equal(r.stdout, 'PLANTED\n')
    assert.equal(existsSync(box.marker), true)
  } finally {
    box.cleanup()
  }
})

function assertRefused(box: Sandbox, r: Run, reason: RegExp) {
  assertRealSourceRan(box, r)
  assert.equal(r.warnings.length, 1, r.warnings.join('\n'))
  assert.match(r.warnings[0]!, /^strata: TypeScript cache folder .* compiling without a cache\. .*STRATA_TS_CACHE.* \[STRATA_TS_CACHE_UNSAFE\]$/)
  assert.match(r.warnings[0]!, reason)
  assert.deepEqual(r.events.get(box.probe), ['uncached'])
  assert.deepEqual(r.events.get(box.helper), ['uncached'])
}

test('a cache folder writable by others (0777) is refused with one warning line, and bypassed', () => {
  const box = sandbox()
  try {
    const dir = join(box.root, 'cache')
    mkdirSync(dir)
    chmodSync(dir, 0o777)
    plantValidEntry(box, dir)
    assertRefused(box, run(box, { STRATA_TS_CACHE: dir }), /is writable by group or others \(mode 777\); .*Run chmod 700 /)
    assert.deepEqual(readdirSync(dir), [probeEntry(box, dir).slice(dir.length + 1)], 'nothing was written to the refused folder')
    assert.equal(mode(dir), 0o777, 'the folder was left as it was')

    chmodSync(dir, 0o770)
    assertRefused(box, run(box, { STRATA_TS_CACHE: dir }), /mode 770/)
  } finally {
    box.cleanup()
  }
})

test('a cache folder owned by another user is refused with one warning line, and bypassed', () => {
  const box = sandbox()
  try {
    if (process.geteuid!() === 0) {
      const dir = join(box.root, 'cache')
      mkdirSync(dir, { mode: 0o700 })
      plantValidEntry(box, dir)
      chownSync(dir, 65534, 65534)
      assertRefused(box, run(box, { STRATA_TS_CACHE: dir }), /is owned by uid 65534, not by the current user \(uid 0\)/)
    } else {
      // Without root nothing can be given away; the root folder is someone else's.
      assertRefused(box, run(box, { STRATA_TS_CACHE: '/' }), /is owned by uid 0, not by the current user/)
    }
  } finally {
    box.cleanup()
  }
})

test('worker threads that load TypeScript do not repeat the warning: one line per process', () => {
  const box = sandbox()
  try {
    const dir = join(box.root, 'cache')
    mkdirSync(dir)
    chmodSync(dir, 0o777)
    const worker = join(box.root, 'src', 'worker.mjs')
    writeFileSync(worker, `import { registerTypeScript } from '${REGISTER}'\nimport { parentPort } from 'node:worker_threads'\nregisterTypeScript()\nconst { helper } = await import('./helper.ts')\nparentPort.postMessage(helper('from worker'))\n`)
    const main = join(box.root, 'src', 'threads.ts')
    writeFileSync(main, `import { Worker } from 'node:worker_threads'\nconst one = (): Promise<string> => new Promise((resolve) => new Worker(new URL('./worker.mjs', import.meta.url)).once('message', resolve))\nconsole.log((await Promise.all([one(), one()])).join(' '))\n`)
    const r = run(box, { STRATA_TS_CACHE: dir }, main)
    assert.equal(r.status, 0, r.warnings.join('\n'))
    assert.equal(r.stdout, 'FROM WORKER FROM WORKER\n')
    assert.equal(r.warnings.length, 1, r.warnings.join('\n'))
    assert.match(r.warnings[0]!, /\[STRATA_TS_CACHE_UNSAFE\]$/)
    assert.deepEqual(r.events.get(box.helper), ['uncached', 'uncached'], 'each worker compiled the helper without the cache')
  } finally {
    box.cleanup()
  }
})

test('a cache folder that cannot be created is reported once and bypassed', () => {
  const box = sandbox()
  try {
    const file = join(box.root, 'a-file')
    writeFileSync(file, '')
    const r = run(box, { STRATA_TS_CACHE: join(file, 'cache') })
    assertRealSourceRan(box, r)
    assert.equal(r.warnings.length, 1, r.warnings.join('\n'))
    assert.match(r.warnings[0]!, /^strata: cannot create the TypeScript cache folder .*a-file\/cache \(ENOTDIR\); compiling without a cache\. Set STRATA_TS_CACHE to a writable folder\. \[STRATA_TS_CACHE_UNAVAILABLE\]$/)
    assert.deepEqual(r.events.get(box.probe), ['uncached'])
  } finally {
    box.cleanup()
  }
})

test('without a usable home or XDG_CACHE_HOME the cache falls back to node_modules/.cache/strata inside the project', () => {
  const box = sandbox()
  const parent = join(ROOT, 'node_modules', '.cache')
  const dir = join(parent, 'strata')
  const existed = [parent, dir].map((path) => existsSync(path))
  try {
    const file = join(box.root, 'a-file')
    writeFileSync(file, '')
    const r = run(box, { HOME: join(file, 'home') })
    assertRealSourceRan(box, r)
    assert.deepEqual(r.warnings, [])
    assert.deepEqual(r.events.get(box.probe), ['miss'])
    assert.equal(mode(dir), 0o700)
    assert.equal(mode(probeEntry(box, dir)), 0o600)

    rmSync(probeEntry(box, dir))
    const viaXdg = run(box, { HOME: box.home, XDG_CACHE_HOME: join(file, 'xdg') })
    assertRealSourceRan(box, viaXdg)
    assert.deepEqual(viaXdg.events.get(box.probe), ['miss'])
    assert.ok(existsSync(probeEntry(box, dir)), 'an unusable XDG_CACHE_HOME falls back to the project too')
  } finally {
    for (const entry of [probeEntry(box, dir), helperEntry(box, dir)]) rmSync(entry, { force: true })
    if (!existed[1]) rmdirSync(dir)
    if (!existed[0]) rmdirSync(parent)
    box.cleanup()
  }
})
