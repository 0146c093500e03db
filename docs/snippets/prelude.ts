// What the README's TypeScript snippets use without defining it: the helpers
// and types of a reader's own project. test/readme/snippets.test.ts compiles
// every snippet with these in scope; anything else a snippet uses, it must
// import or declare itself.
import type { Table } from 'apache-arrow'
import type { AssetDefinition, ServingWarning, TimeWindow } from 'strata-engine'

declare global {
  interface Row {
    date: Date
    origin: string
    delay: number
  }
  interface Flight {
    origin: string
    destination: string
    distance: number
    date: string
  }
  /** Partitions: reads one time window's rows. */
  function load(window: TimeWindow): Row[]
  /** Partitions: summarizes the upstream partitions a window mapping delivers, by partition key. */
  function summarize(partitions: Map<string, Row[]>): { days: number; rows: number }
  /** Checks and data contracts. */
  function loadFlights(): Table
  /** Model registry. */
  const training: AssetDefinition<Row[]>
  function train(rows: Row[]): { weights: number[]; auc: number }
  function score(model: unknown, ...rest: unknown[]): number
  /** Serving. */
  const pipeline: AssetDefinition<any>[]
  const onlineFeatures: AssetDefinition<Record<string, number>>
  function loadModel(artifact: unknown): { free(): void }
  function gaps(instance: Flight, features: Record<string, number> | undefined): ServingWarning[]
}

export {}
