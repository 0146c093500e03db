import { createRequire } from 'node:module'

type Luxon = typeof import('luxon')
let loaded: Luxon | undefined

/**
 * luxon, loaded on first use through require(): its CommonJS build is one
 * file, while its ES module build is dozens, each a round trip through the
 * module loader. Definitions without time partitions never load it.
 */
export function luxon(): Luxon {
  return (loaded ??= createRequire(import.meta.url)('luxon') as Luxon)
}
