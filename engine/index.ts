export { openWorkspace, resolveCommandStorageUrl, type Workspace, type OpenWorkspaceOptions } from './workspace.js'
export { materialize, type MaterializeOptions, type MaterializeResult } from './materialize.js'
export { readAssetStates } from './status.js'
export { AssetGraph, parseSelection, resolveSelection, suggestKeys, editDistance, SELECTION_SYNTAX } from './graph/index.js'
export { computeStates, describeReason, describeDirect } from './versioning/staleness.js'
export type { AssetState, AssetStatus, StaleReason, DirectReason, RootCause } from './versioning/staleness.js'
export { executeRun, type RunEvent, type RunResult, type StepResult, type RunOptions } from './execution/run.js'
export { planAssets, type ExecutionPlan, type PlannedStep } from './execution/plan.js'
export { createExecutor, createPoolExecutor, createInProcessExecutor, createQueueExecutor, registerExecutor, executorNames, isExecutorName, unknownExecutor, chooseConcurrency, describeCap, CONCURRENCY_PER_CPU } from './executors/index.js'
export type { Executor, ExecutorFactory, ExecutorHealth, ExecutorName, ExecutorOptions } from './executors/index.js'
export { startQueueWorker, listQueueWorkers, queueUrlFrom, type QueueWorker, type QueueWorkerEvent, type QueueWorkerOptions, type WorkerInfo } from './executors/queue/index.js'
export { loadDefinitions, resolveDefsPath } from './definitions/load.js'
export { resolveHome } from './home.js'
export { collectHomeGarbage, collectGarbage, DEFAULT_GC_GRACE_MS, type GcOptions, type GcResult, type HomeGcOptions } from './gc.js'
export { loadValue } from './values.js'
export { openObjectStore, resolveObjectsSpec, type ObjectStore, type ObjectInfo, type OpenObjectStoreOptions } from './io/object-stores/index.js'
export { doctorHome, checkHome, type DoctorOptions, type DoctorReport, type DoctorCorruptObject } from './doctor.js'
export type * from './storage/types.js'
export { loadStatusIndex, summarize, keysOptionsFor, describeFailure, type AssetSummary, type AssetDisplayStatus } from './status.js'
export { StatusIndex, displayStatus, directReasonsOf, nodeLabel, rootsOf, type LastFailure, type NodeState, type PartitionDisplayStatus } from './versioning/status-index.js'
export { launchBackfill, runBackfill, cancelBackfill, type BackfillResult, type LaunchBackfillOptions, type BackfillRunOptions } from './backfill.js'
export type { PartitionRequest } from './partitions/targets.js'
export {
  registerModel,
  promoteModel,
  rollbackModel,
  getProductionModel,
  getModel,
  listModels,
  getModelHistory,
  type RegisterModelInput,
  type RegistryTarget,
  type ModelRollbackResult,
  type ModelStageResult,
} from './registry/index.js'
export { lineageTree, materializationOf, modelMaterialization, type LineageNode } from './lineage.js'
export { validateContract, describeReport, type ContractReport } from './checks/contract.js'
export { loadContractFile } from './checks/contract-file.js'
export { readCheckCounts, readLatestChecks, describeCheckResult, checkResultJson, type CheckCountsSummary } from './checks/status.js'
export * from './automation/index.js'
export { openStorage, resolveStorageUrl, type OpenStorageOptions, type StorageUrlSources } from './open-storage.js'
export { checkStage } from './registry/index.js'
export { startDevSession, DEFAULT_DEBOUNCE_MS } from './dev-session.js'
export type {
  DevSessionOptions,
  DevSession,
  DevOutput,
  DevEvent,
  DevEventType,
  DevAsset,
  StaleAsset,
  RunCounts,
  CodeVersionChange,
  SourceLocation,
  ReloadReason,
} from './watch/types.js'
export {
  startServer,
  SHADOW_LOG,
  PREDICTIONS_LOG,
  type ServeOptions,
  type ServingServer,
  type ShadowRecord,
  type PredictionRecord,
  type LoadedInfo,
  type ServingRole,
} from './serve.js'
