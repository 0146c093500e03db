import { createInProcessExecutor } from './in-process.js'
import { createPoolExecutor } from './pool.js'
import { createQueueExecutor } from './queue/executor.js'
import { registerExecutor } from './registry.js'

export type { Executor, ExecutorFactory, ExecutorHealth, ExecutorName, ExecutorOptions } from './types.js'
export { createInProcessExecutor, createPoolExecutor, createQueueExecutor }
export { createExecutor, executorNames, isExecutorName, registerExecutor, unknownExecutor } from './registry.js'
export { CONCURRENCY_PER_CPU, chooseConcurrency, describeCap, type ConcurrencyChoice } from './concurrency.js'

registerExecutor('pool', createPoolExecutor)
registerExecutor('in-process', createInProcessExecutor)
registerExecutor('queue', createQueueExecutor)
