/** Validation of model registry input, shared by the storage, the engine API and `ctx.registry`. */
import { StrataError } from '../../assets/errors.js'
import { MODEL_STAGES, type ModelGate, type ModelStage } from '../../assets/registry.js'

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_\-./]*$/

const invalid = (message: string) => new StrataError('STRATA_INVALID_MODEL', message)

export function checkModelName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name) || name.length > 200) {
    throw invalid(`A model name must be a non-empty string of letters, digits and _ - . / (got ${JSON.stringify(name)}).`)
  }
  return name
}

export function checkModelVersion(name: string, version: unknown): number {
  if (!Number.isInteger(version) || (version as number) < 1) {
    throw invalid(`Model "${name}": a version is a whole number ≥ 1 (got ${JSON.stringify(version)}).`)
  }
  return version as number
}

/** `stage` as a ModelStage, or STRATA_INVALID_MODEL naming the stages there are (for stages typed by a user). */
export function checkStage(stage: unknown): ModelStage {
  if (typeof stage !== 'string' || !MODEL_STAGES.includes(stage as ModelStage)) {
    throw invalid(`Unknown model stage ${JSON.stringify(stage)}; use one of ${MODEL_STAGES.join(', ')}.`)
  }
  return stage as ModelStage
}

/** A JSON-serializable plain object, returned as a deep copy (so it can cross threads and be stored). */
export function jsonObject(what: string, value: unknown, optional = false): Record<string, unknown> {
  if (value === undefined && optional) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${what} must be an object (got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}).`)
  try {
    return JSON.parse(JSON.stringify(value)) as Record<string, unknown>
  } catch (err) {
    throw invalid(`${what} must be JSON-serializable: ${(err as Error).message}.`)
  }
}

export function checkGate(name: string, gate: unknown): ModelGate {
  const g = gate as ModelGate | undefined
  if (typeof g !== 'object' || g === null || typeof g.passed !== 'boolean') {
    throw invalid(`Model "${name}": gate must be { passed: boolean, reasons: string[] } (got ${JSON.stringify(gate)}).`)
  }
  const reasons = g.reasons === undefined ? [] : g.reasons
  if (!Array.isArray(reasons) || !reasons.every((r) => typeof r === 'string')) {
    throw invalid(`Model "${name}": gate.reasons must be a list of strings.`)
  }
  return { passed: g.passed, reasons: [...reasons] }
}

export function checkNonEmpty(what: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw invalid(`${what} must be a non-empty string (got ${JSON.stringify(value)}).`)
  return value
}

export function gateFailed(name: string, version: number, stage: ModelStage, gate: ModelGate): StrataError {
  return new StrataError(
    'STRATA_GATE_FAILED',
    `Model ${name} version ${version} cannot move to ${stage}: its gate did not pass${gate.reasons.length ? ` (${gate.reasons.join('; ')})` : ''}. Register a version whose gate passes.`,
    { name, version, stage, reasons: gate.reasons },
  )
}
