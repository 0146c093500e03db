export { asset, self, isAssetDefinition } from './asset.js'
export { output, isOutput } from './output.js'
export { check, dataContract, isAssetCheck } from './checks.js'
export type { AssetCheck, CheckContext, CheckFn, CheckFnResult, CheckOutcome, CheckSpec, ContractSource, DataContractFile, DataContractOptions } from './checks.js'
export { normalizeContract, CONTRACT_FIELD_TYPES } from './contracts.js'
export type { ContractExpectations, ContractField, ContractFieldType, DataContract, NormalizedContract } from './contracts.js'
export { MODEL_STAGES } from './registry.js'
export type { ModelGate, ModelLineage, ModelRegistration, ModelRegistryContext, ModelStage, ModelStageChange, ModelVersion } from './registry.js'
export { servedModel, isServedModel, invalidInstance, InvalidInstanceError } from './serving.js'
export type { Prediction, ServedModel, ServedModelSpec, ServingLoadContext, ServingPredictContext, ServingWarning } from './serving.js'
export type { ServingContext, ServingLogs, ServingLogFile } from './serving-logs.js'
export { defineDefinitions, isDefinitions, findCycle } from './definitions.js'
export { normalizeKey } from './keys.js'
export { codeVersionOf } from './code-version.js'
export { StrataError, isStrataError } from './errors.js'
export type { StrataErrorCode } from './errors.js'
export type * from './types.js'
export * from './partitions/index.js'
export { psi, psiAgainst, binnedDistribution, quantileEdges, binCounts, binOf, PSI_EPSILON, PSI_SIGNIFICANT, type BinnedDistribution } from './monitoring/psi.js'
export {
  AutomationCondition,
  isAutomationCondition,
  and,
  or,
  not,
  eager,
  onCron,
  onMissing,
  missing,
  stale,
  inProgress,
  executionFailed,
  newlyUpdated,
  codeVersionChanged,
  cronTickPassed,
} from './automation/conditions.js'
export type { EagerOptions, OnCronOptions } from './automation/conditions.js'
export { schedule, isScheduleDefinition } from './automation/schedule.js'
export type { ScheduleSpec, ScheduleDefinition } from './automation/schedule.js'
export { sensor, fileSensor, assetSensor, isSensorDefinition, DEFAULT_SENSOR_INTERVAL_SECONDS } from './automation/sensor.js'
export type { SensorSpec, SensorDefinition, FileSensorSpec, AssetSensorSpec } from './automation/sensor.js'
export { evaluateFreshness } from './automation/freshness.js'
export type { FreshnessPolicy, FreshnessResult } from './automation/freshness.js'
export type { AutomationSpec } from './automation/validate.js'
export type * from './automation/types.js'
export { nextTick, previousTick, latestTick } from './cron/ticks.js'
export { isValidCron } from './cron/parse.js'
