// Watch mode (`strata dev`): a dev session and the plain-data events it reports.
export { startDevSession, DEFAULT_DEBOUNCE_MS } from './session.js'
export type * from './types.js'
export { scanImportGraph, importSpecifiers, type ImportGraph } from './import-graph.js'
export { diffDefinitions, type DefinitionsSnapshot, type DefinitionsDiff } from './diff.js'
