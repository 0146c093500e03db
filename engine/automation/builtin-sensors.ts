/**
 * The built-in sensors, whose evaluation needs I/O the declarations cannot
 * do: `fileSensor` (a file's size and mtime, then its content hash when
 * those moved) and `assetSensor` (new materializations of an asset, by any
 * process, found by materialization id). The first evaluation records where
 * things stand and requests nothing: only changes after it count.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { isAbsolute, resolve, dirname } from 'node:path'
import type { BuiltinSensorSpec, SensorResult } from '../../assets/automation/types.js'
import type { Workspace } from '../workspace.js'

interface FileCursor {
  size: number
  mtimeMs: number
  hash: string
}

async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256')
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer)
  return h.digest('hex')
}

function parseCursor<T>(cursor: string | undefined): T | undefined {
  if (cursor === undefined) return undefined
  try {
    return JSON.parse(cursor) as T
  } catch {
    return undefined
  }
}

async function fileSensor(ws: Workspace, path: string, cursor: string | undefined): Promise<SensorResult> {
  // Relative paths are relative to the definitions file, like everything a definitions file names.
  const file = isAbsolute(path) ? path : resolve(dirname(ws.defsPath), path)
  let info
  try {
    info = await stat(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { skipReason: `${file} does not exist`, cursor }
    throw err
  }
  const previous = parseCursor<FileCursor>(cursor)
  if (previous && previous.size === info.size && previous.mtimeMs === info.mtimeMs) return { skipReason: `${file} unchanged`, cursor }
  const now: FileCursor = { size: info.size, mtimeMs: info.mtimeMs, hash: await hashFile(file) }
  const next = JSON.stringify(now)
  if (!previous) return { skipReason: `first look at ${file}: changes from now on request runs`, cursor: next }
  if (previous.hash === now.hash) return { skipReason: `${file} was touched but its content is unchanged`, cursor: next }
  // The content with its mtime: a file put back to an earlier content is a change too.
  return { runRequests: [{ runKey: `${now.hash.slice(0, 16)}@${now.mtimeMs}` }], cursor: next }
}

async function assetSensor(ws: Workspace, assetKey: string, cursor: string | undefined): Promise<SensorResult> {
  const seen = cursor === undefined ? undefined : Number(cursor)
  const recent = await ws.storage.listMaterializations(assetKey, { limit: 1000 })
  const newest = recent[0]?.id ?? 0
  if (seen === undefined || !Number.isFinite(seen)) return { skipReason: `first look at ${assetKey}: new materializations from now on request runs`, cursor: String(newest) }
  const fresh = recent.filter((m) => m.id > seen)
  if (fresh.length === 0) return { skipReason: `no new materialization of ${assetKey}`, cursor: String(seen) }
  const partitionKeys = [...new Set(fresh.map((m) => m.partitionKey).filter((k) => k !== ''))].reverse()
  return {
    runRequests: [{ runKey: `${assetKey}@${newest}`, ...(partitionKeys.length ? { partitionKeys } : {}) }],
    cursor: String(newest),
  }
}

export function evaluateBuiltinSensor(ws: Workspace, spec: BuiltinSensorSpec, cursor: string | undefined): Promise<SensorResult> {
  return spec.kind === 'file' ? fileSensor(ws, spec.path, cursor) : assetSensor(ws, spec.asset, cursor)
}
