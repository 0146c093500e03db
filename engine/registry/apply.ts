/**
 * Applying the registry writes a step queued through `ctx.registry`, on the
 * main thread, once its materialization is recorded.
 */
import { StrataError } from '../../assets/errors.js'
import type { ModelLineage, ModelStage } from '../../assets/registry.js'
import type { LineageEdge, Storage } from '../storage/types.js'
import type { ModelRequest } from './context.js'
import { gateFailed } from './validate.js'

export interface AppliedModel {
  name: string
  version: number
  stage: ModelStage
  /** `register`, `promote`, or `existing`: a registration identical to this version (engine/registry/identity.ts), so nothing was registered. */
  kind: ModelRequest['kind'] | 'existing'
  /** Set on `existing`: the version is as it was (its stage too). */
  unchanged?: true
}

/** One line per applied request, for the run's log. */
export function describeApplied(m: AppliedModel): string {
  if (m.kind === 'existing') return `Model ${m.name} v${m.version} unchanged (identical retrain): same code version, config, data versions consumed and artifact as version ${m.version}, so nothing was registered; it stays in ${m.stage}`
  return m.kind === 'register' ? `Registered model ${m.name} version ${m.version} (${m.stage})` : `Moved model ${m.name} version ${m.version} to ${m.stage}`
}

/** Where the step's model came from, for the lineage of registered versions. */
export interface StepProvenance {
  assetKey: string
  partitionKeys: string[]
  runId: string
  materializationId: number
  codeVersion: string
  /** The stored value's location: the default artifact. */
  location: string
  consumed: readonly LineageEdge[]
}

/**
 * Checks promote requests before the materialization is recorded, so a bad
 * one fails the step instead of leaving it half-applied: STRATA_UNKNOWN_MODEL
 * or STRATA_GATE_FAILED.
 */
export async function validatePromotions(storage: Storage, requests: readonly ModelRequest[]): Promise<void> {
  for (const r of requests) {
    if (r.kind !== 'promote') continue
    const m = await storage.getModel(r.name, r.version)
    if (!m) throw new StrataError('STRATA_UNKNOWN_MODEL', `ctx.registry.promote(): model "${r.name}" has no version ${r.version}.`, { name: r.name, version: r.version })
    if ((r.stage === 'staging' || r.stage === 'production') && !m.gate.passed) throw gateFailed(r.name, r.version, r.stage, m.gate)
  }
}

/**
 * Registers and promotes in request order. A registration asking for staging
 * or production with a failed gate stays in development (reported in
 * `warnings`). A registration identical to an existing version registers
 * nothing and leaves that version's stage as it is (a retrain must not undo a
 * promotion or a rollback): it is reported as `existing`. Returns what was
 * applied.
 */
export async function applyModelRequests(
  storage: Storage,
  requests: readonly ModelRequest[],
  step: StepProvenance,
  now = Date.now(),
): Promise<{ applied: AppliedModel[]; warnings: string[] }> {
  const applied: AppliedModel[] = []
  const warnings: string[] = []
  for (const r of requests) {
    if (r.kind === 'register') {
      let stage = r.stage
      if ((stage === 'staging' || stage === 'production') && !r.gate.passed) {
        warnings.push(`Model ${r.name}: registered in development, not ${stage}, because its gate did not pass${r.gate.reasons.length ? ` (${r.gate.reasons.join('; ')})` : ''}.`)
        stage = undefined
      }
      const lineage: ModelLineage = {
        ...r.lineage,
        assetKey: step.assetKey,
        partitionKeys: step.partitionKeys,
        runId: step.runId,
        materializationId: step.materializationId,
        inputs: step.consumed.map((e) => ({
          assetKey: e.upstreamAssetKey,
          partitionKey: e.upstreamPartitionKey,
          dataVersion: e.upstreamDataVersion,
          materializationId: e.upstreamMaterializationId,
          ...(e.inputName !== undefined ? { input: e.inputName } : {}),
        })),
      }
      const { model: m, existing } = await storage.registerModelOnce({
        name: r.name,
        metrics: r.metrics,
        config: r.config,
        lineage,
        codeVersion: r.codeVersion ?? step.codeVersion,
        artifact: r.artifact ?? step.location,
        gate: r.gate,
        ...(r.description !== undefined ? { description: r.description } : {}),
        createdAt: now,
        ...(stage !== undefined ? { stage } : {}),
      })
      applied.push(existing ? { name: m.name, version: m.version, stage: m.stage, kind: 'existing', unchanged: true } : { name: m.name, version: m.version, stage: m.stage, kind: 'register' })
    } else {
      const { model } = await storage.setModelStage(r.name, r.version, r.stage, now, r.reason ?? `promoted by ${step.assetKey} in run ${step.runId}`)
      applied.push({ name: model.name, version: model.version, stage: model.stage, kind: 'promote' })
    }
  }
  return { applied, warnings }
}
