// Types for layout.mjs (plain JavaScript: the bin and worker entries import it before TypeScript support exists).
export const FROM_SOURCE: boolean
export const SOURCE_CONDITION: string
export const PACKAGE_ROOT: string
