import { isAbsolute, resolve } from 'node:path'
import { StrataError } from '../../../assets/errors.js'
import { FileObjectStore } from './filesystem.js'
import type { ObjectStore } from './types.js'

const POSTGRES_URL = /^postgres(ql)?:\/\//i
const OTHER_URL = /^[a-z][a-z0-9+.-]*:\/\//i

export function isPostgresSpec(spec: string): boolean {
  return POSTGRES_URL.test(spec)
}

function invalid(spec: unknown, why: string): StrataError {
  return new StrataError('STRATA_INVALID_OBJECTS', `Object store ${JSON.stringify(spec)} ${why}. Give a directory (e.g. --objects /mnt/shared/strata) or a PostgreSQL URL (--objects postgres://user@host:5432/db?schema=NAME).`, { spec })
}

/** Checks a spec's form without opening anything. */
export function checkObjectsSpec(spec: unknown): string {
  if (typeof spec !== 'string' || spec.trim() === '') throw invalid(spec, 'is empty')
  if (!isPostgresSpec(spec) && OTHER_URL.test(spec)) throw invalid(spec, `uses ${spec.split(':')[0]}:, which is not supported`)
  return spec
}

export interface OpenObjectStoreOptions {
  /** The home: a directory equal to it is the home's own store, written by this host only. */
  home?: string
}

/**
 * Opens a store from its spec: a `postgres://` / `postgresql://` URL, or a
 * directory (objects are kept under `<dir>/objects/`; the home by default).
 */
export async function openObjectStore(spec: string, opts: OpenObjectStoreOptions = {}): Promise<ObjectStore> {
  checkObjectsSpec(spec)
  if (isPostgresSpec(spec)) {
    const { openPostgresObjectStore } = await import('./postgres.js')
    return openPostgresObjectStore(spec)
  }
  const root = resolve(spec)
  return new FileObjectStore(root, opts.home === undefined || resolve(opts.home) !== root)
}

// One store per spec and thread: a worker opens the store its tasks name once and keeps it.
const opened = new Map<string, Promise<ObjectStore>>()

/** The store of `spec`, opened on first use in this thread and kept open. */
export function objectStoreFor(spec: string): Promise<ObjectStore> {
  let store = opened.get(spec)
  if (!store) {
    store = openObjectStore(spec)
    opened.set(spec, store)
    store.catch(() => opened.delete(spec))
  }
  return store
}

/** Closes the stores objectStoreFor opened (a process about to exit with PostgreSQL stores open). */
export async function closeObjectStores(): Promise<void> {
  const all = [...opened.values()]
  opened.clear()
  await Promise.all(all.map(async (s) => (await s.catch(() => undefined))?.close()))
}

export interface ObjectsSpecSources {
  /** `--objects` (relative paths from the working directory). */
  flag?: string
  /** `STRATA_OBJECTS`. @defaultValue process.env.STRATA_OBJECTS */
  env?: string
  /** `defineDefinitions({ objects })` (relative paths from the definitions file's directory). */
  definitions?: string
  definitionsDir?: string
  home: string
  cwd?: string
}

/** The objects spec in force: flag > environment > definitions > the home. */
export function resolveObjectsSpec(s: ObjectsSpecSources): string {
  const cwd = s.cwd ?? process.cwd()
  const pick = (spec: string, base: string) => (isPostgresSpec(checkObjectsSpec(spec)) || isAbsolute(spec) ? spec : resolve(base, spec))
  if (s.flag !== undefined) return pick(s.flag, cwd)
  const env = s.env ?? process.env.STRATA_OBJECTS
  if (env) return pick(env, cwd)
  if (s.definitions !== undefined) return pick(s.definitions, s.definitionsDir ?? cwd)
  return resolve(s.home)
}
