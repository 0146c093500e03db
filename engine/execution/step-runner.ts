import { isOutput } from '../../assets/output.js'
import { StrataError } from '../../assets/errors.js'
import type { AssetContext, AssetLogger, Definitions, LogLevel } from '../../assets/types.js'
import { loadDefinitions } from '../definitions/load.js'
import { loadValue, storeValue } from '../io/object-store.js'
import { objectStoreFor } from '../io/object-stores/open.js'
import type { ObjectStore } from '../io/object-stores/types.js'
import { checkFailedError, runChecks } from '../checks/run-checks.js'
import { createRegistryContext, type ModelRequest } from '../registry/context.js'
import { createServingContext } from '../serving/log-reader.js'
import type { InputLocation, StepLogLine, StepOutcome, StepTask } from './step-types.js'
import { serializeError } from './step-types.js'
import { validateMetadata } from './validate-metadata.js'

// Definitions are imported once per thread, as a code location would be. A
// thread never runs two versions of them: ESM modules cannot be unloaded, so
// the pool starts new threads when the files change (task.defsVersion), and
// the in-process executor runs the definitions this process imported.
const loaded = new Map<string, Promise<Definitions>>()

function definitionsFor(task: StepTask): Promise<Definitions> {
  let defs = loaded.get(task.defsPath)
  if (!defs) {
    defs = loadDefinitions(task.defsPath)
    loaded.set(task.defsPath, defs)
    defs.catch(() => loaded.delete(task.defsPath))
  }
  return defs
}

/** `upstream`: the asset the input reads, to name it (and the partition) if its stored object is damaged. */
async function loadInput(objects: ObjectStore, input: InputLocation, upstream?: string): Promise<unknown> {
  if (input.kind === 'none') return undefined
  const owner = (partitionKey: string) => (upstream === undefined ? undefined : { label: partitionKey ? `${upstream}[${partitionKey}]` : upstream })
  if (input.kind === 'single') return loadValue(objects, input.part.location, input.part.format, owner(input.part.partitionKey))
  const values = await Promise.all(input.parts.map((p) => loadValue(objects, p.location, p.format, owner(p.partitionKey))))
  return new Map(input.parts.map((p, i) => [p.partitionKey, values[i]]))
}

function makeLogger(emit: (line: StepLogLine) => void): AssetLogger {
  const at = (level: LogLevel) => (message: string) => emit({ ts: Date.now(), level, message: String(message) })
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

export interface StepHooks {
  /** Called once the definitions are loaded, before the inputs. */
  onStart?: () => void
  /**
   * Whether the run has stopped waiting for the step (only in-process, where
   * a compute cannot be stopped): its value is then not stored, as nothing
   * would ever refer to it, and its home may be gone.
   */
  givenUp?: () => boolean
}

/**
 * Runs one step: import definitions, load inputs, compute, run the asset's
 * checks on the value, store the output. A failing blocking check (or a
 * malformed contract) fails the step before anything is stored. Never throws.
 */
export async function runStep(task: StepTask, emit: (line: StepLogLine) => void, hooks: StepHooks = {}): Promise<StepOutcome> {
  const { onStart, givenUp } = hooks
  let started = performance.now()
  try {
    const defs = await definitionsFor(task)
    const asset = defs.byKey.get(task.assetKey)
    if (!asset) {
      throw new StrataError('STRATA_UNKNOWN_ASSET', `Asset "${task.assetKey}" is no longer in ${task.defsPath}; it was removed or renamed after the run was planned.`)
    }
    // The step's time limit and duration count from here: importing the definitions on a new thread is not the step's doing.
    onStart?.()
    started = performance.now()
    const objects = await objectStoreFor(task.objects)
    const inputs: Record<string, unknown> = {}
    await Promise.all(
      Object.entries(task.inputs).map(async ([name, loc]) => {
        inputs[name] = await loadInput(objects, loc, asset.ins[name]?.assetKey)
      }),
    )
    const keys = task.partitionKeys
    const models: ModelRequest[] = []
    const ctx: AssetContext = {
      runId: task.runId,
      assetKey: task.assetKey,
      attempt: task.attempt,
      codeVersion: asset.codeVersion,
      log: makeLogger(emit),
      resources: defs.resources as Record<string, unknown>,
      partitionKey: keys.length === 1 ? keys[0] : undefined,
      partitionWindow: task.partitionWindow ? { start: new Date(task.partitionWindow.start), end: new Date(task.partitionWindow.end) } : undefined,
      partitionKeyRange: keys.length > 1 ? { start: keys[0]!, end: keys[keys.length - 1]!, keys } : undefined,
      registry: createRegistryContext({ storage: task.storage, objects }, models),
      serving: createServingContext(task.servingLogs),
    }
    const result = await asset.compute(ctx, inputs)
    const value = isOutput(result) ? result.value : result
    // Metadata crosses threads and lands in storage as JSON: checked before anything is stored, so a bad field fails the step.
    const metadata = isOutput(result) ? validateMetadata(result.metadata) : {}
    let checks: StepOutcome['checks']
    if (asset.checks.length > 0) {
      const run = await runChecks(asset, ctx, value)
      checks = run.results
      const blocked = run.fatal ?? checkFailedError(task.assetKey, run.results)
      if (blocked) return { ok: false, error: serializeError(blocked), durationMs: performance.now() - started, checks }
    }
    if (givenUp?.()) {
      throw new StrataError('STRATA_CANCELED', `Step ${task.assetKey} finished after the run stopped waiting for it; its value was not stored.`)
    }
    const stored = await storeValue(objects, value, { sync: defs.durability !== 'verify' })
    return {
      ok: true,
      codeVersion: asset.codeVersion,
      location: stored.location,
      format: stored.format,
      bytes: stored.bytes,
      dataVersion: (isOutput(result) ? result.dataVersion : undefined) ?? stored.contentHash.slice(0, 20),
      metadata,
      durationMs: performance.now() - started,
      ...(checks ? { checks } : {}),
      ...(models.length ? { models } : {}),
    }
  } catch (err) {
    return { ok: false, error: serializeError(err), durationMs: performance.now() - started }
  }
}
