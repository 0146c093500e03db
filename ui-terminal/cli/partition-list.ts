/** Partition keys in one line of text: all of a few; of many, the first three and the last, with the count (a backfill's 181 days stay one readable line). */
export function partitionList(keys: readonly string[]): string {
  if (keys.length <= 8) return keys.join(', ')
  return `${keys.slice(0, 3).join(', ')} … ${keys[keys.length - 1]}: ${keys.length} partitions`
}
