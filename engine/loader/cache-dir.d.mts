// Types for cache-dir.mjs (plain JavaScript: it runs before TypeScript support exists).
export const PROJECT_CACHE: string
export function cacheCandidates(env?: Record<string, string | undefined>): string[]
export function openCacheDir(env?: Record<string, string | undefined>): { dir: string } | { dir: null; code: string; message: string }
export function untrusted(dir: string): { reason: string; fix: string } | undefined
