import type { DataFormat } from '../storage/types.js'

/** Where a stored value lives: `location` (`objects/xx/<sha256>.<ext>`) names it in its object store. */
export interface StoredObject {
  location: string
  format: DataFormat
  bytes: number
  /** sha256 of the stored bytes (hex). */
  contentHash: string
}

/**
 * Serializes step outputs to immutable, content-addressed files and reads them
 * back. Runs inside workers: values never travel through the main thread.
 */
export interface IOManager {
  readonly format: DataFormat
  /** Whether this manager stores `value` (Arrow tables vs everything else). */
  handles(value: unknown): boolean
  serialize(value: unknown): Promise<Uint8Array>
  deserialize(bytes: Uint8Array): Promise<unknown>
}
