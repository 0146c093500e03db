export { AssetGraph } from './asset-graph.js'
export { parseSelection, resolveSelection, suggestKeys, editDistance, SELECTION_SYNTAX } from './selection.js'
export type { SelectionAst, SelectionTerm } from './selection.js'
