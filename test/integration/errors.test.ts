// Invalid definitions and bad usage: exit code 2, and stderr names the stable
// error code with a message that says what is wrong. Driven through the real CLI.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createProject, type CliResult, type Project } from './helpers.js'

const HEADER = `import { asset, defineDefinitions } from 'strata-engine'\n`

const FILES: Record<string, string> = {
  'duplicate.ts': `${HEADER}
const one = asset({ key: 'shared/name', compute: () => 1 })
const two = asset({ key: 'shared/name', compute: () => 2 })
export default defineDefinitions({ assets: [one, two] })
`,
  'unknown-input.ts': `${HEADER}
const b = asset({ key: 'b', ins: { ghost: { asset: 'raw/ghost' } }, compute: () => 1 })
export default defineDefinitions({ assets: [b] })
`,
  'unknown-dep.ts': `${HEADER}
const a = asset({ key: 'a', compute: () => 1 })
const b = asset({ key: 'b', deps: [a, 'phantom'], compute: () => 1 })
export default defineDefinitions({ assets: [a, b] })
`,
  'cycle.ts': `${HEADER}
const x = asset({ key: 'x', deps: ['y'], compute: () => 1 })
const y = asset({ key: 'y', deps: ['x'], compute: () => 2 })
const z = asset({ key: 'z', deps: [x], compute: () => 3 })
export default defineDefinitions({ assets: [x, y, z] })
`,
  'self-cycle.ts': `${HEADER}
const x = asset({ key: 'x', deps: ['x'], compute: () => 1 })
export default defineDefinitions({ assets: [x] })
`,
  'no-default.ts': `${HEADER}
export const a = asset({ key: 'a', compute: () => 1 })
export const defs = defineDefinitions({ assets: [a] })
`,
  'syntax-error.ts': `${HEADER}
export const a = asset({ key: 'a', compute: () => [1, 2 })
export default defineDefinitions({ assets: [a] })
`,
  'throws.ts': `${HEADER}
if (!process.env.STRATA_IT_NEVER_SET) throw new Error('WAREHOUSE_URL is not configured')
export default defineDefinitions({ assets: [] })
`,
  'bad-key.ts': `${HEADER}
export const a = asset({ key: 'raw/has space', compute: () => 1 })
export default defineDefinitions({ assets: [a] })
`,
}

const GOOD = `${HEADER}
export const a = asset({ key: 'raw/orders', compute: () => [1, 2, 3] })
export const b = asset({ key: 'clean/orders', ins: { a }, compute: (_ctx, { a }) => a })
export default defineDefinitions({ assets: [a, b] })
`

let project: Project
let empty: Project

before(() => {
  project = createProject(GOOD, FILES)
  empty = createProject()
})
after(() => {
  project.cleanup()
  empty.cleanup()
})

/** Exit 2, the code in brackets on stderr, nothing on stdout (even with --json), no Node crash trace. */
function expectError(r: CliResult, code: string, ...patterns: RegExp[]): void {
  const shown = `strata ${r.args.join(' ')}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`
  assert.equal(r.code, 2, `exit code ${r.code}, expected 2\n${shown}`)
  // With --json the error is JSON too: {"error": {"code", "message"}}.
  const json = r.args.includes('--json') ? JSON.parse(r.stderr).error : undefined
  if (json) assert.equal(json.code, code, shown)
  else assert.ok(r.stderr.includes(`[${code}]`), `stderr should name ${code}\n${shown}`)
  assert.equal(r.stdout, '', `nothing on stdout\n${shown}`)
  assert.doesNotMatch(r.stderr, /^\s+at /m, `a message, not a stack trace\n${shown}`)
  for (const p of patterns) assert.match(json ? json.message : r.stderr, p, shown)
}

describe('invalid definitions and bad usage exit 2 with a coded message', { concurrency: 2 }, () => {
  it('duplicate keys: STRATA_DUPLICATE_KEY', async () => {
    expectError(await project.run(['list', '--json', '-f', 'duplicate.ts']), 'STRATA_DUPLICATE_KEY', /Duplicate asset key "shared\/name"/)
  })

  it('unknown input: STRATA_UNKNOWN_DEP', async () => {
    expectError(await project.run(['list', '-f', 'unknown-input.ts']), 'STRATA_UNKNOWN_DEP', /"b" reads input "ghost" from "raw\/ghost"/)
  })

  it('unknown deps entry: STRATA_UNKNOWN_DEP', async () => {
    expectError(await project.run(['materialize', '--json', '-f', 'unknown-dep.ts']), 'STRATA_UNKNOWN_DEP', /"b" depends on "phantom"/)
  })

  it('a cycle: STRATA_CYCLE with the path', async () => {
    expectError(await project.run(['list', '-f', 'cycle.ts']), 'STRATA_CYCLE', /(x -> y -> x|y -> x -> y)/)
  })

  it('an asset depending on itself: STRATA_CYCLE', async () => {
    expectError(await project.run(['list', '-f', 'self-cycle.ts']), 'STRATA_CYCLE', /x -> x/)
  })

  it('an invalid asset key: STRATA_INVALID_KEY', async () => {
    expectError(await project.run(['list', '-f', 'bad-key.ts']), 'STRATA_INVALID_KEY', /raw\/has space/)
  })

  it('missing definitions file: STRATA_DEFINITIONS_LOAD', async () => {
    expectError(await project.run(['list', '-f', 'nope.ts']), 'STRATA_DEFINITIONS_LOAD', /Definitions file not found: .*nope\.ts/)
    expectError(await empty.run(['materialize']), 'STRATA_DEFINITIONS_LOAD', /No definitions\.ts in /, /-f/)
  })

  it('a file without a default export: STRATA_DEFINITIONS_LOAD', async () => {
    expectError(await project.run(['list', '-f', 'no-default.ts']), 'STRATA_DEFINITIONS_LOAD', /no-default\.ts has no default export/, /export default defineDefinitions/)
  })

  it('a syntax error: STRATA_DEFINITIONS_LOAD with file and position', async () => {
    expectError(await project.run(['list', '-f', 'syntax-error.ts']), 'STRATA_DEFINITIONS_LOAD', /syntax-error\.ts/, /Unexpected token/, /\(3:\d+\)/)
  })

  it('a definitions file that throws while loading: STRATA_DEFINITIONS_LOAD with its error', async () => {
    expectError(await project.run(['list', '-f', 'throws.ts']), 'STRATA_DEFINITIONS_LOAD', /throws\.ts/, /WAREHOUSE_URL is not configured/)
  })

  it('an unknown selection key: STRATA_UNKNOWN_ASSET with a suggestion', async () => {
    expectError(await project.run(['materialize', 'raw/ordres']), 'STRATA_UNKNOWN_ASSET', /unknown asset "raw\/ordres"/, /Did you mean "raw\/orders"/)
  })

  it('an unknown key for why and lineage: STRATA_UNKNOWN_ASSET with a suggestion', async () => {
    expectError(await project.run(['why', 'clean/ordres']), 'STRATA_UNKNOWN_ASSET', /No asset "clean\/ordres"/, /Did you mean "clean\/orders"/)
    expectError(await project.run(['lineage', 'clean/ordres', '--json']), 'STRATA_UNKNOWN_ASSET', /No asset "clean\/ordres"/, /Did you mean "clean\/orders"/)
  })

  it('a malformed selection: STRATA_INVALID_SELECTION', async () => {
    expectError(await project.run(['list', '**raw/orders']), 'STRATA_INVALID_SELECTION', /Invalid selection term "\*\*raw\/orders"/)
  })

  it('an unknown flag: STRATA_USAGE', async () => {
    expectError(await project.run(['materialize', '--bogus']), 'STRATA_USAGE', /--bogus/, /strata materialize --help/)
  })

  it('--concurrency 0: STRATA_USAGE', async () => {
    expectError(await project.run(['materialize', '--concurrency', '0']), 'STRATA_USAGE', /--concurrency must be a whole number/)
  })

  it('an unknown executor: STRATA_USAGE', async () => {
    expectError(await project.run(['materialize', '--executor', 'threads']), 'STRATA_USAGE', /Unknown executor "threads"/)
  })

  it('an unknown command: STRATA_USAGE on one line pointing to the help, without listing every command', async () => {
    const r = await project.run(['frobnicate'])
    expectError(r, 'STRATA_USAGE', /unknown command "frobnicate"/, /strata --help/)
    assert.doesNotMatch(r.stderr, /list, materialize|Did you mean/, r.stderr)
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
  })

})

describe('after the rejected commands', () => {
  it('none of them recorded a run', async () => {
    const r = await project.run(['runs', '--json'])
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(r.json.runs, [])
  })
})
