// ctx.serving.logs(): a compute reads what strata serve logged (the shadow
// and predictions logs in <home>/serving/) through the context, as the
// server writes them, with no path of its own.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { createServingContext, servingLogsDir } from '../../engine/serving/log-reader.js'
import { PREDICTIONS_LOG, SHADOW_LOG } from '../../engine/serving/server.js'

const home = mkdtempSync(join(tmpdir(), 'strata-serving-logs-'))
after(() => rmSync(home, { recursive: true, force: true }))

describe('ctx.serving.logs()', () => {
  it('before the server wrote anything: both logs absent, with where they would be', async () => {
    const logs = await createServingContext(servingLogsDir(home)).logs()
    assert.deepEqual(logs, { shadow: { path: join(home, SHADOW_LOG), text: undefined }, predictions: { path: join(home, PREDICTIONS_LOG), text: undefined } })
  })

  it('reads the files the server appends to, as they are at each call', async () => {
    mkdirSync(join(home, 'serving'))
    writeFileSync(join(home, SHADOW_LOG), '{"a":1}\n')
    const serving = createServingContext(servingLogsDir(home))
    const first = await serving.logs()
    assert.equal(first.shadow.text, '{"a":1}\n')
    assert.equal(first.predictions.text, undefined)
    appendFileSync(join(home, SHADOW_LOG), '{"a":2}\n')
    writeFileSync(join(home, PREDICTIONS_LOG), '{"p":1}\n')
    const second = await serving.logs()
    assert.equal(second.shadow.text, '{"a":1}\n{"a":2}\n')
    assert.equal(second.predictions.text, '{"p":1}\n')
  })
})
