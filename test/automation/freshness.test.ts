import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { evaluateFreshness } from '../../assets/index.js'

const at = (s: string): number => Date.parse(s)
const MIN = 60_000

describe('evaluateFreshness', () => {
  it('without a cron: fresh while the last update is at most maxLagMinutes old, then late', () => {
    const policy = { maxLagMinutes: 120 }
    const last = at('2024-03-08T10:00:00Z')
    const ok = evaluateFreshness(policy, last, at('2024-03-08T11:59:00Z'))
    assert.equal(ok.state, 'fresh')
    assert.equal(ok.lagMinutes, 119)
    assert.equal(ok.nextDeadline, at('2024-03-08T12:00:00Z'))
    assert.equal(ok.reason, 'last updated 1 h 59 min ago, allowed 2 h')
    assert.equal(evaluateFreshness(policy, last, at('2024-03-08T12:00:00Z')).state, 'fresh')
    const late = evaluateFreshness(policy, new Date(last), new Date(at('2024-03-08T13:10:00Z')))
    assert.equal(late.state, 'late')
    assert.equal(late.nextDeadline, undefined)
    assert.equal(late.reason, 'last updated 3 h 10 min ago, allowed 2 h')
  })

  it('never materialized is a warning of its own', () => {
    const r = evaluateFreshness({ maxLagMinutes: 60 }, undefined, at('2024-03-08T12:00:00Z'))
    assert.equal(r.state, 'never')
    assert.equal(r.reason, 'never materialized; allowed 1 h')
  })

  it('with a cron: by each tick the update must be at most maxLagMinutes old; between ticks the last tick rules', () => {
    // Daily at 9:00 New York time, data at most 6 h old then: updated by 3:00.
    const policy = { maxLagMinutes: 6 * 60, cron: '0 9 * * *', timezone: 'America/New_York' }
    const updated = at('2024-03-08T07:30:00Z') // 2:30 EST
    // Before the 9:00 tick of the 8th, the 7th's tick rules: fresh.
    const before = evaluateFreshness(policy, updated, at('2024-03-08T13:59:00Z'))
    assert.equal(before.state, 'fresh')
    assert.equal(before.requiredSince, at('2024-03-07T14:00:00Z') - 6 * 60 * MIN)
    assert.equal(before.nextDeadline, at('2024-03-08T14:00:00Z'))
    // At 9:00 EST on the 8th the update (2:30) is 6.5 h old: late until the next update, even at noon.
    assert.equal(evaluateFreshness(policy, updated, at('2024-03-08T14:00:00Z')).state, 'late')
    const noon = evaluateFreshness(policy, updated, at('2024-03-08T17:00:00Z'))
    assert.equal(noon.state, 'late')
    assert.equal(noon.reason, 'last updated 9 h 30 min ago, at most 6 h old at each tick of 0 9 * * * (America/New_York)')
    // An update at 3:30 EST meets the 9:00 tick.
    assert.equal(evaluateFreshness(policy, at('2024-03-08T08:30:00Z'), at('2024-03-08T17:00:00Z')).state, 'fresh')
    // Across the spring change the tick is 9:00 EDT (13:00 UTC).
    assert.equal(evaluateFreshness(policy, at('2024-03-10T07:30:00Z'), at('2024-03-10T13:00:00Z')).state, 'fresh')
    assert.equal(evaluateFreshness(policy, at('2024-03-10T06:59:00Z'), at('2024-03-10T13:00:00Z')).state, 'late')
  })
})
