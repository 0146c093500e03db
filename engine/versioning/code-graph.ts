/**
 * The code a compute function really uses, as version components: the
 * top-level declarations it refers to, in its own module and in the local
 * modules it imports from, transitively (a declaration's own references are
 * followed the same way), plus the installed version of each package it
 * reaches. Packages and Node built-ins are not read.
 *
 * A compute is found by its text: `Function.prototype.toString` returns the
 * exact slice of the module text that defined it, so it is looked up among
 * the functions of every module the definitions file imports, transitively.
 * That handles assets declared by a factory in another module, and computes
 * imported from a helper module. When the same text appears in several
 * modules, the references of all of them count (never fewer than used).
 *
 * Conservative where precision is not possible: a namespace import used other
 * than as `ns.member`, a data file (JSON) or a module the parser cannot read
 * counts as a whole; a compute that refers to variables of an enclosing
 * function or block (a factory's parameters) counts the whole enclosing
 * statement; top-level code that is not a declaration (`cache.set(...)`, a
 * guard) counts for the declarations it mentions; modules imported for their
 * effects count as a whole.
 */
import { existsSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, isAbsolute, join, relative, sep } from 'node:path'
import { hashCode, jsTokens, normalizeTokens } from '../../assets/code-version.js'
import { candidatesFor } from '../watch/import-graph.js'
import { Reach, type ReachGraph, type ReachModule, type ReachResolved } from './code-closure.js'
import { TAIL, textHash, type FunctionScan } from './js-scan.js'
import { contentKey, moduleEntry } from './module-cache.js'

/** Component name → hash or version, e.g. `code:./lib.ts#factor`, `file:./rates.json`, `package:apache-arrow`. */
export type Components = Record<string, string>

/** `label`: the path relative to the definitions file's folder, e.g. `./lib.ts`. */
type Module = ReachModule

const BUILTIN = new Set(builtinModules)
const LOCAL = /^(\.\.?\/|\/|file:)/

export class CodeGraph implements ReachGraph {
  readonly root: string
  private readonly reach = new Reach(this)
  private readonly resolved = new Map<string, ReachResolved>()
  private readonly modules = new Map<string, Module | null>()
  /** Every function of the project's modules by the last characters of its text. */
  private readonly byTail = new Map<string, Array<{ module: Module; fn: FunctionScan }>>()
  private readonly exists = new Map<string, boolean>()
  private readonly versions = new Map<string, string>()
  private readonly manifests = new Set<string>()

  constructor(readonly defsPath: string) {
    this.root = dirname(defsPath)
    const queue = [defsPath]
    const seen = new Set(queue)
    while (queue.length) {
      const m = this.module(queue.shift()!)
      const scan = m?.entry.scan
      if (!m || !scan) continue
      const specs = [
        ...Object.values(scan.imports).map((i) => i.from),
        ...Object.values(scan.exports).flatMap((e) => ('from' in e ? [e.from] : [])),
        ...scan.starExports,
        ...scan.effectImports,
        ...[...scan.statements, ...scan.functions].flatMap((s) => s.refs.filter((r) => r.startsWith('import:')).map((r) => r.slice(7))),
      ]
      for (const spec of specs) {
        const r = this.resolve(m, spec)
        if (r.kind === 'local' && !seen.has(r.path)) {
          seen.add(r.path)
          queue.push(r.path)
        }
      }
      for (const fn of scan.functions) {
        let list = this.byTail.get(fn.tail)
        if (!list) this.byTail.set(fn.tail, (list = []))
        list.push({ module: m, fn })
      }
    }
  }

  /** Project modules read, in breadth-first import order from the definitions file. */
  files(): string[] {
    return [...this.modules.values()].flatMap((m) => (m ? [m.path] : []))
  }

  /**
   * The components of the code a compute uses, from its source text; and
   * `compute`, the hash of that text normalized, when it was found in a
   * project module (its scan has it; otherwise `asset()` hashes it).
   */
  componentsOf(source: string): { components: Components; compute?: string } {
    const matches = this.locate(source)
    const components = this.reach.components(matches.map(({ module, fn: f }) => ({ module, refs: f.refs, stmt: f.outer ? f.stmt : undefined })))
    const first = matches[0]?.fn
    if (!first) return { components }
    // What toString() has before the parameters: `async`, `function name`, a method's name.
    const prefix = normalizeTokens(jsTokens(source.slice(0, source.length - (first.end - first.start))))
    return { components, compute: prefix ? hashCode(`${prefix} ${first.norm}`) : first.norm }
  }

  /** Every file the components depend on, with its content key: the project modules read and the package manifests consulted. */
  dependencies(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const path of this.modules.keys()) out[path] = contentKey(path) ?? ''
    for (const path of this.manifests) out[path] = contentKey(path) ?? ''
    return out
  }

  /**
   * The functions whose text `source` is: a function's text from its
   * parameters to the end of its body is the end of its `toString()`, which
   * may start earlier (`async`, `function name`, a method's name).
   */
  private locate(source: string): Array<{ module: Module; fn: FunctionScan }> {
    const found = new Map<Module, FunctionScan>()
    // The longest tail first; shorter ones only for functions shorter than TAIL.
    for (let n = Math.min(TAIL, source.length); n >= 1 && found.size === 0; n--) {
      for (const { module, fn } of this.byTail.get(source.slice(-n)) ?? []) {
        const length = fn.end - fn.start
        const at = source.length - length
        if (at < 0 || !source.startsWith(fn.head, at) || textHash(source.slice(at)) !== fn.hash) continue
        // Nested functions can end together (`(a) => (b) => a + b`): the outermost is the one.
        const best = found.get(module)
        if (!best || fn.start < best.start) found.set(module, fn)
      }
    }
    return [...found].map(([module, fn]) => ({ module, fn }))
  }

  module(path: string): Module | null {
    let m = this.modules.get(path)
    if (m === undefined) {
      const entry = moduleEntry(path)
      m = entry ? { path, label: this.label(path), entry } : null
      this.modules.set(path, m)
    }
    return m
  }

  label(path: string): string {
    const rel = relative(this.root, path)
    if (isAbsolute(rel)) return path
    const posix = rel.split(sep).join('/')
    return posix.startsWith('../') ? posix : `./${posix}`
  }

  resolve(from: Module, spec: string): ReachResolved {
    const key = `${from.path}\0${spec}`
    let r = this.resolved.get(key)
    if (!r) this.resolved.set(key, (r = this.resolveUncached(from, spec)))
    return r
  }

  private resolveUncached(from: Module, spec: string): ReachResolved {
    if (LOCAL.test(spec)) {
      for (const c of candidatesFor(spec, from.path)) {
        let ok = this.exists.get(c)
        if (ok === undefined) this.exists.set(c, (ok = existsSync(c)))
        if (ok) return c.split(sep).includes('node_modules') ? { kind: 'package', name: packageOfPath(c) } : { kind: 'local', path: c }
      }
      return { kind: 'ignored' }
    }
    if (spec.startsWith('node:') || spec.startsWith('#') || BUILTIN.has(spec.split('/')[0]!)) return { kind: 'ignored' }
    const parts = spec.split('/')
    return { kind: 'package', name: spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]! }
  }

  /** The installed version of a package, as seen from a module (`?` when it cannot be found). */
  packageVersion(name: string, fromPath: string): string {
    const fromDir = dirname(fromPath)
    const cached = this.versions.get(`${fromDir}\0${name}`)
    if (cached !== undefined) return cached
    let version = '?'
    for (let dir = fromDir; ; dir = dirname(dir)) {
      let manifest = join(dir, 'node_modules', name, 'package.json')
      let found = readVersion(manifest)
      if (found === undefined) found = readVersion((manifest = join(dir, 'package.json')), name)
      if (found !== undefined) {
        this.manifests.add(manifest)
        version = found
        break
      }
      if (dirname(dir) === dir) break
    }
    this.versions.set(`${fromDir}\0${name}`, version)
    return version
  }
}

function readVersion(file: string, expectName?: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown }
    if (expectName !== undefined && pkg.name !== expectName) return undefined
    return typeof pkg.version === 'string' ? pkg.version : '?'
  } catch {
    return undefined
  }
}

function packageOfPath(path: string): string {
  const parts = path.split(sep)
  const i = parts.lastIndexOf('node_modules')
  return parts[i + 1]?.startsWith('@') ? `${parts[i + 1]}/${parts[i + 2]}` : (parts[i + 1] ?? '?')
}
