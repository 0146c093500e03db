import type { IOManager } from './types.js'

type ArrowModule = typeof import('apache-arrow')
let arrow: Promise<ArrowModule> | undefined
// apache-arrow is large; only steps that touch tables pay for loading it.
const loadArrow = () => (arrow ??= import('apache-arrow'))

/** Duck-typed so tables from another copy of apache-arrow are recognized too. */
export function isArrowTable(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  const t = value as { schema?: unknown; batches?: unknown; numRows?: unknown }
  return typeof t.numRows === 'number' && Array.isArray(t.batches) && typeof t.schema === 'object' && t.schema !== null
}

/** Arrow tables as Arrow IPC files. */
export const arrowIO: IOManager = {
  format: 'arrow',
  handles: isArrowTable,
  async serialize(value) {
    const { tableToIPC } = await loadArrow()
    return tableToIPC(value as import('apache-arrow').Table, 'file')
  },
  async deserialize(bytes) {
    const { tableFromIPC } = await loadArrow()
    return tableFromIPC(bytes)
  },
}
