// Builds the published package into dist/ (npm runs it as `prepare`: on
// `npm install` / `npm ci` in a checkout and before `npm pack`). Inside the
// repository nothing needs it: everything runs from the TypeScript sources.
//
// - tsc (tsconfig.build.json) compiles assets/, engine/ and ui-terminal/:
//   the JavaScript is written without comments (most of its size; the
//   declarations keep the docs), every declaration and its map go to
//   dist/.declarations/;
// - the declarations the public entry points reach (`strata-engine` and
//   `strata-engine/engine`; nothing else can be imported) are copied beside
//   the JavaScript, their maps still pointing at the sources;
// - the engine's plain JavaScript modules (.mjs, with their .d.mts) are
//   copied as they are: the module hooks and worker entries, which run
//   before TypeScript support exists;
// - outputs whose source is gone are removed, so a deleted or renamed file
//   never ships.
//
// The compile is incremental (dist/.tsbuildinfo): with nothing changed the
// build takes well under a second. Exit code 1, with TypeScript's
// diagnostics, when the sources do not compile.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DECLARATIONS, declarationClosure, importSpecifiers, outputsOf, relocateMap, sourceOf, stripComments } from './build-outputs.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CONFIG = join(ROOT, 'tsconfig.build.json')
/** The declarations of the package's `exports`, relative to dist/. */
const ENTRIES = ['assets/index.d.ts', 'engine/index.d.ts']
/** Folders whose .mjs/.d.mts files are copied beside the compiled .js. */
const PLAIN_JS_DIRS = ['engine']

let ts
try {
  ts = (await import('typescript')).default
} catch {
  console.error('strata build: TypeScript is not installed (a devDependency of Strata). Run npm install without --omit=dev, then npm run build. [STRATA_BUILD_NO_TYPESCRIPT]')
  process.exit(1)
}

const started = performance.now()
const config = ts.getParsedCommandLineOfConfigFile(CONFIG, undefined, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail([d]) })
const { options, fileNames } = config
const DIST = options.outDir
const posixRel = (from, to) => relative(from, to).split(sep).join('/')

// Incremental builds trust dist/.tsbuildinfo; if an output it believes
// written is missing (dist/ partly deleted by hand), start over.
if (fileNames.some((f) => outputsOf(posixRel(ROOT, f)).some((o) => !existsSync(join(DIST, o))))) {
  rmSync(options.tsBuildInfoFile, { force: true })
}

// The solution builder (`tsc -b`) skips the compile when no input is newer
// than dist/.tsbuildinfo; otherwise it compiles what changed.
const reports = []
const host = ts.createSolutionBuilderHost(ts.sys, ts.createEmitAndSemanticDiagnosticsBuilderProgram, (d) => reports.push(d), () => {}, () => {})
let compiled = 0
const status = ts.createSolutionBuilder(host, [CONFIG], {}).build(undefined, undefined, (file, text, bom) => {
  if (file.endsWith('.js')) {
    text = stripComments(ts, file, text)
    compiled++
  }
  mkdirSync(dirname(file), { recursive: true })
  ts.sys.writeFile(file, text, bom)
})
if (status !== ts.ExitStatus.Success || reports.some((d) => d.category === ts.DiagnosticCategory.Error)) fail(reports)

for (const dir of PLAIN_JS_DIRS) {
  for (const file of walk(join(ROOT, dir))) {
    if (file.endsWith('.mjs')) writeIfChanged(join(DIST, relative(ROOT, file)), readFileSync(file, 'utf8'))
    // Beside the other declarations, so that the closure below finds them.
    else if (file.endsWith('.d.mts')) writeIfChanged(join(DIST, DECLARATIONS, relative(ROOT, file)), readFileSync(file, 'utf8'))
  }
}

const readDeclaration = (rel) => {
  try {
    return readFileSync(join(DIST, DECLARATIONS, rel), 'utf8')
  } catch {
    return undefined
  }
}
let closure
try {
  closure = declarationClosure(ENTRIES, readDeclaration, (text) => importSpecifiers(ts, text))
} catch (err) {
  console.error(`strata build: ${err.message} [STRATA_BUILD_FAILED]`)
  process.exit(1)
}
const published = new Set()
for (const rel of closure) {
  writeIfChanged(join(DIST, rel), readDeclaration(rel))
  published.add(rel)
  const map = readDeclaration(`${rel}.map`)
  if (map !== undefined) {
    writeIfChanged(join(DIST, `${rel}.map`), relocateMap(map, `${DECLARATIONS}/${rel}.map`, `${rel}.map`))
    published.add(`${rel}.map`)
  }
}

let removed = 0
for (const file of walk(DIST)) {
  const rel = posixRel(DIST, file)
  if (file === options.tsBuildInfoFile) continue
  const isPublicDeclaration = !rel.startsWith(`${DECLARATIONS}/`) && /\.d\.(m?ts|ts\.map)$/.test(rel)
  if (isPublicDeclaration ? !published.has(rel) : !sourceOf(rel).some((s) => existsSync(join(ROOT, s)))) {
    rmSync(file)
    removed++
  }
}

const seconds = ((performance.now() - started) / 1000).toFixed(1)
// On stderr: `npm pack --json` runs this and its stdout must stay JSON.
console.error(`strata build: dist/ up to date in ${seconds} s (${compiled} modules compiled, ${closure.length} public declaration files, ${removed} stale files removed).`)

function writeIfChanged(path, text) {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, text)
}

function walk(dir) {
  const out = []
  if (!existsSync(dir)) return out
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...walk(path))
    else out.push(path)
  }
  return out
}

function fail(diags) {
  const formatHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' }
  const format = process.stderr.isTTY ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics
  console.error(format(diags, formatHost))
  console.error('strata build: the sources do not compile (above); dist/ was not updated. [STRATA_BUILD_FAILED]')
  process.exit(1)
}
