// Module hooks that let Node 20 import TypeScript directly: `.ts`/`.tsx`
// files are stripped of types (sucrase) on first load and the result is cached
// on disk by content hash, so later processes skip the compiler entirely.
// The cache folder was chosen and checked by register.mjs before these hooks
// started (null: compile every file, cache nothing).
import { existsSync, readFileSync, writeSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { entryKey, readEntry, writeEntry } from './cache-entry.mjs'
import { compileOptions } from './compile-options.mjs'

let cacheDir = null
let debug = false
let conditions = []
let sucrase

export function initialize(data) {
  cacheDir = data?.cacheDir ?? null
  debug = data?.debug === true
  conditions = data?.conditions ?? []
}

// STRATA_TS_CACHE_DEBUG=1: one line per TypeScript file loaded, saying what
// the cache did. Written straight to fd 2: this thread's process.stderr is
// relayed asynchronously and may lose lines when the process exits.
function trace(event, path) {
  if (debug) writeSync(2, `strata ts-cache: ${event} ${path}\n`)
}

async function compile(source, path) {
  sucrase ??= import('sucrase')
  const { transform } = await sucrase
  const result = transform(source, compileOptions(path))
  const map = Buffer.from(JSON.stringify(result.sourceMap)).toString('base64')
  return `${result.code}\n//# sourceMappingURL=data:application/json;base64,${map}\n`
}

const TS = /\.(ts|tsx|mts)$/

export async function resolve(specifier, context, next) {
  // Source imports use `.js` for `.ts` files, as TypeScript's NodeNext
  // resolution expects. Try the `.ts` file first: letting the default
  // resolver fail first costs an exception per import.
  const parent = context.parentURL
  if (parent && (specifier.startsWith('./') || specifier.startsWith('../')) && specifier.endsWith('.js') && TS.test(parent.split('?')[0])) {
    const base = specifier.slice(0, -3)
    for (const ext of ['.ts', '.tsx']) {
      const url = new URL(base + ext, parent)
      if (existsSync(url)) return { url: url.href, format: 'module', shortCircuit: true }
    }
  }
  // Export conditions only matter to package names (`strata-engine`,
  // `#imports`), never to relative, absolute or builtin specifiers.
  if (conditions.length > 0 && !/^(\.|\/|[a-z][a-z0-9+.-]*:)/i.test(specifier)) {
    return next(specifier, { ...context, conditions: [...context.conditions, ...conditions] })
  }
  return next(specifier, context)
}

export async function load(url, context, next) {
  const bare = url.split('?')[0]
  if (!bare.startsWith('file:') || !TS.test(bare)) return next(url, context)
  const path = fileURLToPath(bare)
  const source = readFileSync(path, 'utf8')
  if (!cacheDir) {
    trace('uncached', path)
    return { format: 'module', source: await compile(source, path), shortCircuit: true }
  }
  const key = entryKey(path, source)
  const entry = readEntry(cacheDir, key)
  if (entry.status === 'hit') {
    trace('hit', path)
    return { format: 'module', source: entry.code, shortCircuit: true }
  }
  trace(entry.status, path)
  const code = await compile(source, path)
  if (!writeEntry(cacheDir, key, code)) trace('unwritable', path)
  return { format: 'module', source: code, shortCircuit: true }
}
