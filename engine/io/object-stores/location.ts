import type { DataFormat } from '../../storage/types.js'

/** `objects/xx/<sha256>.json|arrow`: the location of every stored object, whatever the store. */
export const OBJECT_LOCATION = /^objects\/([0-9a-f]{2})\/([0-9a-f]{64})\.(json|arrow)$/

/** The file name part of a location. */
export const OBJECT_FILE = /^[0-9a-f]{64}\.(json|arrow)$/

export function objectLocation(contentHash: string, format: DataFormat): string {
  return `objects/${contentHash.slice(0, 2)}/${contentHash}.${format === 'arrow' ? 'arrow' : 'json'}`
}

/** The format a location's extension names, or undefined for a location that is not a stored object. */
export function formatOfLocation(location: string): DataFormat | undefined {
  const m = OBJECT_LOCATION.exec(location)
  return m ? (m[3] as DataFormat) : undefined
}
