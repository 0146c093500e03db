// The layout of dist/ that the build (build.mjs) writes, as pure functions:
// which files a source compiles to, which source a file in dist/ comes from,
// which declarations the package's entry points need. Paths are relative
// (to the repository for sources, to dist/ for outputs), with `/`.
import { posix } from 'node:path'

/**
 * Where tsc writes every declaration (and its map). Only those the public
 * entry points reach are copied beside the JavaScript and published: the
 * `exports` map lets no one import the rest.
 */
export const DECLARATIONS = '.declarations'

/** The dist/ files a source compiles to (none for declaration files and plain JavaScript, which are not compiled). */
export function outputsOf(source) {
  if (/\.d\.[mc]?ts$/.test(source)) return []
  const m = /^(.*)\.tsx?$/.exec(source)
  return m ? [`${m[1]}.js`, `${DECLARATIONS}/${m[1]}.d.ts`, `${DECLARATIONS}/${m[1]}.d.ts.map`] : []
}

/** The sources a dist/ file may come from; none for a file the build never writes (it is then removed). */
export function sourceOf(output) {
  const rel = output.startsWith(`${DECLARATIONS}/`) ? output.slice(DECLARATIONS.length + 1) : output
  const compiled = /^(.*)(?:\.js|\.d\.ts|\.d\.ts\.map)$/.exec(rel)
  if (compiled) return [`${compiled[1]}.ts`, `${compiled[1]}.tsx`]
  if (/\.(mjs|d\.mts)$/.test(rel)) return [rel]
  return []
}

/**
 * The declaration files reachable from `entries` through relative imports
 * (`import`/`export … from`, `import('…')` types), in dist/-relative paths.
 * `read(path)` returns a file's text or undefined when it does not exist;
 * `imports(text)` lists its module specifiers. A relative import with no
 * declaration behind it is an error: the published types would not resolve.
 */
export function declarationClosure(entries, read, imports) {
  const seen = new Set()
  const queue = [...entries]
  while (queue.length > 0) {
    const file = queue.pop()
    if (seen.has(file)) continue
    const text = read(file)
    if (text === undefined) throw new Error(`${file} is not there: the public declarations are incomplete.`)
    seen.add(file)
    for (const spec of imports(text)) {
      if (!spec.startsWith('./') && !spec.startsWith('../')) continue
      const target = posix.join(posix.dirname(file), spec).replace(/\.js$/, '.d.ts').replace(/\.mjs$/, '.d.mts')
      if (read(target) === undefined) throw new Error(`${file} imports ${spec}, which has no declaration file (${target}).`)
      queue.push(target)
    }
  }
  return [...seen].sort()
}

/** The module specifiers a file imports or re-exports, type-only `import('…')` included. */
export function importSpecifiers(ts, text) {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName)
}

/** A declaration map moved from `from` to `to` (dist/-relative files): its `sources` still point at the same files. */
export function relocateMap(json, from, to) {
  const map = JSON.parse(json)
  map.sources = map.sources.map((s) => posix.relative(posix.dirname(to), posix.join(posix.dirname(from), s)))
  return JSON.stringify(map)
}

/**
 * The JavaScript printed again without comments. The printer works on the
 * syntax tree, so code is never altered, only comments and formatting.
 */
export function stripComments(ts, file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS)
  return ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed }).printFile(source)
}
