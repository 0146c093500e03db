// The runs pane follows another process's run from its event log: a step stopped by a cancel shows CANCELED.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { EventRecord } from '../../engine/index.js'
import { RunTracker } from '../../ui-terminal/app/run-tracker.js'

test('a STEP_CANCELED event ends the step as CANCELED with its message', () => {
  const tracker = new RunTracker()
  tracker.upsertRecord({ runId: 'r', status: 'RUNNING', selection: 'spin', stepKeys: ['spin'], defsPath: 'definitions.ts', pid: 1, host: 'h', startedAt: 0, tags: {} })
  const events: EventRecord[] = [
    { id: 1, runId: 'r', ts: 10, type: 'STEP_START', assetKey: 'spin', partitionKey: '', data: { attempt: 1 } },
    { id: 2, runId: 'r', ts: 20, type: 'STEP_CANCELED', assetKey: 'spin', partitionKey: '', level: 'warn', message: 'Canceled: still running after the 1 s grace period, so its worker thread was terminated.' },
  ]
  tracker.ingestEvents('r', events)
  const step = tracker.detail('r')!.steps.find((s) => s.id === 'spin')!
  assert.equal(step.status, 'CANCELED')
  assert.match(step.error ?? '', /grace period/)
  assert.deepEqual(tracker.view('r')!.running, [])
})
