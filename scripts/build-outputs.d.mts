// Types for build-outputs.mjs (plain JavaScript: the build runs before anything is compiled).
import type ts from 'typescript'
export const DECLARATIONS: string
export function outputsOf(source: string): string[]
export function sourceOf(output: string): string[]
export function declarationClosure(entries: string[], read: (path: string) => string | undefined, imports: (text: string) => string[]): string[]
export function importSpecifiers(tsModule: typeof ts, text: string): string[]
export function relocateMap(json: string, from: string, to: string): string
export function stripComments(tsModule: typeof ts, file: string, text: string): string
