// Types for cache-entry.mjs (plain JavaScript: it runs on the module hooks thread before TypeScript support exists).
export function entryKey(path: string, source: string): string
export function entryFile(dir: string, key: string): string
export function encodeEntry(key: string, code: string): string
export function readEntry(dir: string, key: string): { status: 'hit'; code: string } | { status: 'miss' } | { status: 'invalid' }
export function writeEntry(dir: string, key: string, code: string): boolean
