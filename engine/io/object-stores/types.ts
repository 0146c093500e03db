/**
 * Where stored values live. Every store keeps the same guarantees:
 * - content addressed: a location names its content (`objects/xx/<sha256>.<ext>`),
 *   so identical content is stored once and an object never changes;
 * - atomic: an object is visible only once it is fully written, so a reader
 *   (or a crash) never sees a partial one;
 * - reachable from wherever `spec` is opened (another thread, process or host,
 *   for a store on a shared volume or a database).
 */

/** An object as a store lists it. */
export interface ObjectInfo {
  /** `objects/xx/<sha256>.<ext>`, as materializations record it. */
  location: string
  bytes: number
  /** When the object was written, or last reused by a put (gc's grace period counts from it). */
  modifiedMs: number
}

/** What `delete` checks, once the candidates can no longer be reused by a concurrent put, before removing them. */
export interface DeleteGuard {
  /** Only objects last written or reused before this time (ms) are removed. */
  olderThanMs: number
  /** The locations referenced now (read after the candidates were set aside): those are kept. */
  referenced(): Promise<ReadonlySet<string>>
}

export interface Removed {
  count: number
  bytes: number
}

/** Something a killed writer left behind (a temporary file); stores whose writes are transactional have none. */
export interface Leftover {
  /** The store's name for it (a path relative to the store's root). */
  id: string
  bytes: number
  modifiedMs: number
  /** The process that was writing it. */
  pid: number
  /** Written to a store other hosts write too: the process may be another host's, so only its age tells it is stale. */
  shared: boolean
}

export interface PutOptions {
  /**
   * Make a new object durable before `put` returns, so a materialization
   * recorded after it survives a power loss with its value (the filesystem
   * store fsyncs the file, then its directory after the rename; a database
   * store's committed write already is). See `Durability`. @defaultValue true
   */
  sync?: boolean
  /** Write even if an object is already at the location, replacing it atomically (a copy found damaged). @defaultValue false */
  replace?: boolean
}

/** A store of immutable, content-addressed objects. Open one with `openObjectStore(spec)`. */
export interface ObjectStore {
  /** A plain string that opens this same store in another thread, process or host: a directory path or a `postgres://` URL. */
  readonly spec: string
  /** For messages: where the objects are (no password). */
  readonly description: string
  /**
   * Stores `bytes` at `location` unless an object is already there, in which
   * case it is reused and its `modifiedMs` refreshed (so gc's grace period
   * protects an old object a step is about to record again). Idempotent and
   * atomic; concurrent puts of the same content are safe.
   * @returns whether the bytes were written (false: reused)
   */
  put(location: string, bytes: Uint8Array, opts?: PutOptions): Promise<{ written: boolean }>
  /** The whole object. Fails with STRATA_MISSING_OBJECT when there is none. */
  get(location: string): Promise<Uint8Array>
  /** The object in chunks, never holding it all in memory. Fails with STRATA_MISSING_OBJECT when there is none. */
  stream(location: string): AsyncIterable<Uint8Array>
  stat(location: string): Promise<ObjectInfo | undefined>
  /** Every stored object (for gc and checks). */
  list(): AsyncIterable<ObjectInfo>
  /**
   * Removes those of `locations` the guard allows, so that a concurrent put
   * either reuses an object before it is set aside (and the guard keeps it:
   * it is recent) or writes it anew after. Missing locations are ignored.
   */
  delete(locations: readonly string[], guard: DeleteGuard): Promise<Removed>
  /** Partial writes of killed processes, for the sweep when a home is opened and for gc. */
  leftovers(): Promise<Leftover[]>
  removeLeftovers(items: readonly Leftover[]): Promise<Removed>
  close(): Promise<void>
}
