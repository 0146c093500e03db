import { StrataError } from '../../../assets/errors.js'

/** A location with no object behind it: gc removed it, or the store is not the one the materialization used. */
export function missingObjectError(location: string, description: string): StrataError {
  return new StrataError('STRATA_MISSING_OBJECT', `Stored object ${location} is missing from ${description}; re-materialize its asset to recreate it, or point --objects (STRATA_OBJECTS) at the store that holds it.`, { location })
}
