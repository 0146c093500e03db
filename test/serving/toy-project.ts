/**
 * A throwaway project serving `toy` (y = sigmoid(w·x), w = 1 in production)
 * and, with `quirky: true`, a `quirky` model whose code misbehaves on
 * purpose for some inputs, so tests can check the server survives it:
 *
 *   x = 1001  predict returns a BigInt label (the response cannot be serialized)
 *   x = 1002  predict throws null
 *   x = 1003  parseInstance throws a string
 *   x = 666   predict schedules a callback that throws (an uncaught exception)
 *   x = 667   predict leaves a rejected promise unawaited (an unhandled rejection)
 */
import { join } from 'node:path'
import { openWorkspace, registerModel, type Workspace } from '../../engine/index.js'
import { storeValue } from '../../engine/io/object-store.js'
import { createProject, type Project } from '../integration/helpers.js'

const TOY = `toy: servedModel({
      // A test can hold loading back by setting globalThis.toyLoadGate to a promise.
      load: async (artifact) => { await globalThis.toyLoadGate; return artifact },
      parseInstance: (json) => {
        if (typeof json !== 'object' || json === null) invalidInstance('', 'expected an object { x }')
        if (typeof json.x !== 'number') invalidInstance('x', 'must be a number')
        return json.x
      },
      predict: (m, xs) => xs.map((x) => {
        const probability = 1 / (1 + Math.exp(-m.w * x))
        return { probability, label: probability >= 0.5 ? 'pos' : 'neg' }
      }),
    }),`

const QUIRKY = `quirky: servedModel({
      load: (artifact) => artifact,
      parseInstance: (json) => {
        if (json?.x === 1003) throw 'x 1003 is refused with a bare string'
        return json.x
      },
      predict: (m, xs) => xs.map((x) => {
        if (x === 1002) throw null
        if (x === 666) setTimeout(() => { throw new Error('late failure in a model callback') }, 0)
        if (x === 667) Promise.reject(new Error('forgotten promise in a model'))
        return { probability: 0.5, label: x === 1001 ? BigInt(1) : 'ok' }
      }),
    }),`

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z))

export interface ToyProject {
  p: Project
  ws: Workspace
  cleanup(): Promise<void>
}

/** The project, with w = 1 registered in production for each served model. */
export async function toyProject(opts: { quirky?: boolean } = {}): Promise<ToyProject> {
  const p = createProject(`import { defineDefinitions, invalidInstance, servedModel } from 'strata-engine'
export default defineDefinitions({
  assets: [],
  serving: {
    ${TOY}
    ${opts.quirky ? QUIRKY : ''}
  },
})
`)
  const ws = await openWorkspace({ defsFile: join(p.dir, 'definitions.ts') })
  const { location } = await storeValue(ws.home, { w: 1 })
  for (const name of opts.quirky ? ['toy', 'quirky'] : ['toy']) {
    await registerModel(ws, { name, metrics: {}, codeVersion: 'w1', artifact: location, gate: { passed: true, reasons: [] }, stage: 'production' })
  }
  return {
    p,
    ws,
    cleanup: async () => {
      await ws.close()
      p.cleanup()
    },
  }
}

/** A valid predict request for `toy`, as raw-http's RawRequest. */
export const validPredict = (x = 1) => ({
  method: 'POST',
  path: '/v1/models/toy/predict',
  headers: [['content-type', 'application/json']] as Array<[string, string]>,
  body: JSON.stringify({ instances: [{ x }] }),
})
