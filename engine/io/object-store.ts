import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { DataFormat } from '../storage/types.js'
import { arrowIO } from './arrow-io.js'
import { jsonIO } from './json-io.js'
import type { IOManager, StoredObject } from './types.js'

const managers: Record<DataFormat, IOManager> = { json: jsonIO, arrow: arrowIO }

export function ioManagerFor(value: unknown): IOManager {
  return arrowIO.handles(value) ? arrowIO : jsonIO
}

/**
 * Writes a value as a new immutable file named by its content hash. The file
 * is written under a temporary name and renamed into place, so a reader (or a
 * crash) never sees a partial object. Identical content is stored once.
 */
export async function storeValue(home: string, value: unknown): Promise<StoredObject> {
  const io = ioManagerFor(value)
  const bytes = await io.serialize(value)
  const contentHash = createHash('sha256').update(bytes).digest('hex')
  const ext = io.format === 'arrow' ? 'arrow' : 'json'
  const location = `objects/${contentHash.slice(0, 2)}/${contentHash}.${ext}`
  const path = join(home, location)
  const exists = await stat(path).then(
    (s) => s.size === bytes.byteLength,
    () => false,
  )
  if (!exists) {
    await mkdir(join(home, 'objects', contentHash.slice(0, 2)), { recursive: true })
    const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
    try {
      await writeFile(tmp, bytes)
      await rename(tmp, path)
    } catch (err) {
      await rm(tmp, { force: true })
      throw err
    }
  }
  return { location, format: io.format, bytes: bytes.byteLength, contentHash }
}

export async function loadValue(home: string, location: string, format: DataFormat): Promise<unknown> {
  const bytes = await readFile(join(home, location)).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') {
      throw new Error(`Stored object ${location} is missing from ${home}; re-materialize its asset to recreate it.`)
    }
    throw err
  })
  return managers[format].deserialize(bytes)
}
