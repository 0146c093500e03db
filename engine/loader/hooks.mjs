// Module hooks that let Node 20 import TypeScript directly: `.ts`/`.tsx`
// files are stripped of types (sucrase) on first load and the result is cached
// on disk by content hash, so later processes skip the compiler entirely.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const CACHE_VERSION = '1'
const cacheDir = join(process.env.STRATA_TS_CACHE ?? join(tmpdir(), 'strata-ts-cache'), CACHE_VERSION)
let sucrase

function compile(source, path) {
  sucrase ??= import('sucrase')
  return sucrase.then(({ transform }) =>
    transform(source, {
      transforms: path.endsWith('.tsx') ? ['typescript', 'jsx'] : ['typescript'],
      jsxRuntime: 'automatic',
      production: true,
      disableESTransforms: true,
      filePath: path,
      sourceMapOptions: { compiledFilename: path },
    }),
  )
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
  return next(specifier, context)
}

export async function load(url, context, next) {
  const bare = url.split('?')[0]
  if (!bare.startsWith('file:') || !TS.test(bare)) return next(url, context)
  const path = fileURLToPath(bare)
  const source = readFileSync(path, 'utf8')
  const hash = createHash('sha1').update(path).update('\0').update(source).digest('hex')
  const cached = join(cacheDir, `${hash}.js`)
  try {
    return { format: 'module', source: readFileSync(cached, 'utf8'), shortCircuit: true }
  } catch {}
  const result = await compile(source, path)
  const map = Buffer.from(JSON.stringify(result.sourceMap)).toString('base64')
  const code = `${result.code}\n//# sourceMappingURL=data:application/json;base64,${map}\n`
  try {
    mkdirSync(cacheDir, { recursive: true })
    const tmp = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`
    writeFileSync(tmp, code)
    renameSync(tmp, cached)
  } catch {}
  return { format: 'module', source: code, shortCircuit: true }
}
