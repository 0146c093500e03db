/**
 * The graph view's inputs for the App: the model's graph data, the status
 * of each row, and scenes memoized per input, handed to the key
 * handler (KeyContext) and to the view alike so both see the same layout.
 */
import { useMemo } from 'react'
import type { AssetRow, RowStatus, UiModel } from '../model.js'
import type { GraphData } from './graph-data.js'
import { sceneBuilder, type GraphState, type Scene, type SceneInput } from './scene.js'

export interface GraphScenes {
  data: GraphData | undefined
  statusOf(key: string): RowStatus | undefined
  context: { graphScene(g: GraphState): Scene | undefined; graphInput(): SceneInput | undefined }
}

export function useGraphScenes(model: UiModel, rows: readonly AssetRow[], selection: ReadonlySet<string> | undefined): GraphScenes {
  const data = model.graphData()
  const byKey = useMemo(() => new Map(rows.map((r) => [r.key, r])), [rows])
  // Layouts depend on the definitions and the filter only: a status refresh recolours, it does not lay out again.
  const input = useMemo((): SceneInput | undefined => (data ? { data, groupOf: data.groupOf, selection } : undefined), [data, selection])
  const build = useMemo(() => (input ? sceneBuilder(input) : undefined), [input])
  const statusOf = useMemo(() => (key: string) => byKey.get(key)?.status, [byKey])
  return {
    data,
    statusOf,
    context: { graphScene: (g) => build?.(g), graphInput: () => input },
  }
}
