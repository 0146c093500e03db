// `strata ui` as a command: without a terminal it explains and exits 2;
// bad options are usage errors; --help documents the keys.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createProject, expectExit, REPO_ROOT, type Project } from '../integration/helpers.js'

describe('strata ui command', () => {
  let project: Project
  before(() => {
    project = createProject(readFileSync(join(REPO_ROOT, 'examples/hello/definitions.ts'), 'utf8'))
  })
  after(() => project.cleanup())

  it('needs a TTY: with pipes it prints where to go instead and exits 2', async () => {
    const r = expectExit(await project.run(['ui']), 2)
    assert.equal(r.stderr.trim(), 'error strata ui needs an interactive terminal (a TTY). Use strata list / strata status for plain output. [STRATA_USAGE]')
    assert.equal(r.stdout, '')
  })

  it('rejects --json and unknown executors as usage errors', async () => {
    let r = expectExit(await project.run(['ui', '--json']), 2)
    assert.match(r.stderr, /strata ui has no --json output; use strata list --json/)
    r = expectExit(await project.run(['ui', '--executor', 'threads']), 2)
    assert.match(r.stderr, /Unknown executor "threads"/)
  })

  it('--help lists the keys, and the command is in the usage', async () => {
    const r = expectExit(await project.run(['ui', '--help']), 0)
    assert.match(r.stdout, /strata ui — interactive terminal UI/)
    assert.match(r.stdout, /Shift\+←\/→ or v a range/)
    const usage = expectExit(await project.run(['--help']), 0)
    assert.match(usage.stdout, /^\s+ui\s+interactive terminal UI/m)
  })
})
