// Executors by name (registerExecutor), and queue URLs: what --queue accepts.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createExecutor, executorNames, isExecutorName, registerExecutor, type Executor } from '../../engine/executors/index.js'
import { parseQueueUrl, queueUrlFrom } from '../../engine/executors/queue/index.js'

describe('executor registry', () => {
  it('knows the built-in executors and makes one by name', async () => {
    assert.deepEqual(executorNames().slice(0, 3), ['pool', 'in-process', 'queue'])
    const e = createExecutor('in-process', { concurrency: 2 })
    assert.deepEqual([e.name, e.concurrency], ['in-process', 2])
    await e.close()
  })

  it('a registered executor is created with the run options; an unknown name lists the registered ones', async () => {
    const seen: unknown[] = []
    const fake: Executor = { name: 'fake', concurrency: 3, canStopSteps: false, threadsStarted: 0, runStep: async () => ({ ok: false, durationMs: 0, error: { name: 'E', message: 'no' } }), close: async () => {} }
    registerExecutor('fake', (opts) => (seen.push(opts), fake))
    assert.ok(isExecutorName('fake'))
    assert.equal(createExecutor('fake', { concurrency: 3, queue: 'redis://x' }), fake)
    assert.deepEqual(seen, [{ concurrency: 3, queue: 'redis://x' }])
    assert.throws(() => createExecutor('kube'), (err: any) => err.code === 'STRATA_USAGE' && /Unknown executor "kube"\. Use --executor pool, in-process, queue or fake\./.test(err.message))
    assert.throws(() => registerExecutor('Bad Name', () => fake), (err: any) => err.code === 'STRATA_USAGE')
  })

  it('the queue executor needs a queue URL, and says where to give one', () => {
    const saved = process.env.STRATA_QUEUE_URL
    delete process.env.STRATA_QUEUE_URL
    try {
      assert.throws(() => createExecutor('queue'), (err: any) => err.code === 'STRATA_INVALID_QUEUE_URL' && /--queue redis:\/\/HOST:6379, set STRATA_QUEUE_URL, or defineDefinitions\(\{ executor: \{ queue \} \}\)/.test(err.message))
    } finally {
      if (saved !== undefined) process.env.STRATA_QUEUE_URL = saved
    }
  })
})

describe('queue URLs', () => {
  it('redis:// and rediss://, with a key prefix that separates queues on one server', () => {
    assert.deepEqual(parseQueueUrl('redis://127.0.0.1:6379'), { redisUrl: 'redis://127.0.0.1:6379', prefix: 'strata', where: '127.0.0.1:6379' })
    const p = parseQueueUrl('rediss://user:secret@queue.example:6380/2?prefix=team-a')
    assert.deepEqual([p.prefix, p.where, p.redisUrl], ['team-a', 'queue.example:6380', 'rediss://user:secret@queue.example:6380/2'])
    assert.equal(parseQueueUrl('redis://cache').where, 'cache:6379')
  })

  it('anything else is STRATA_INVALID_QUEUE_URL, naming what is expected', () => {
    for (const bad of ['http://host', 'localhost:6379', '', 'redis://h?prefix=a:b']) {
      assert.throws(() => parseQueueUrl(bad), (err: any) => err.code === 'STRATA_INVALID_QUEUE_URL' && /redis:\/\/|prefix/.test(err.message), bad)
    }
  })

  it('the flag wins over $STRATA_QUEUE_URL, which wins over the definitions', () => {
    const saved = process.env.STRATA_QUEUE_URL
    process.env.STRATA_QUEUE_URL = 'redis://env'
    try {
      assert.equal(queueUrlFrom('redis://flag', 'redis://defs'), 'redis://flag')
      assert.equal(queueUrlFrom(undefined, 'redis://defs'), 'redis://env')
      delete process.env.STRATA_QUEUE_URL
      assert.equal(queueUrlFrom(undefined, 'redis://defs'), 'redis://defs')
    } finally {
      if (saved !== undefined) process.env.STRATA_QUEUE_URL = saved
      else delete process.env.STRATA_QUEUE_URL
    }
  })
})
