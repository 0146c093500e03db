/** One string per (asset, partition) slot, for maps and sets of slots (no key holds a NUL). */
export function slotId(assetKey: string, partitionKey: string): string {
  return `${assetKey}\u0000${partitionKey}`
}
