import type { DataFormat } from './storage/types.js'
import { loadValue as loadStored } from './io/object-store.js'
import type { ObjectStore } from './io/object-stores/types.js'

/**
 * The value a materialization stored, read from the workspace's object store
 * (`--objects`; the home's own objects by default): what its downstream
 * steps receive. Fails with STRATA_MISSING_OBJECT when the object is gone.
 *
 * @example
 * const m = await ws.storage.getLatest('daily_revenue')
 * if (m) console.log(await loadValue(ws, m))
 */
export function loadValue(ws: { home: string; objects?: ObjectStore }, materialization: { location: string; format: DataFormat }): Promise<unknown> {
  return loadStored(ws.objects ?? ws.home, materialization.location, materialization.format)
}
