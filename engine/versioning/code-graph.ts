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
import { hashCode } from '../../assets/code-version.js'
import { candidatesFor } from '../watch/import-graph.js'
import type { FunctionScan, ImportBinding } from './js-scan.js'
import { moduleEntry, type ModuleEntry } from './module-cache.js'

/** Component name → hash or version, e.g. `code:./lib.ts#factor`, `file:./rates.json`, `package:apache-arrow`. */
export type Components = Record<string, string>

interface Module {
  path: string
  /** Relative to the definitions file's folder, e.g. `./lib.ts`. */
  label: string
  entry: ModuleEntry
}

type Resolved = { kind: 'local'; path: string } | { kind: 'package'; name: string } | { kind: 'ignored' }

const SUFFIX = 8
const BUILTIN = new Set(builtinModules)
const LOCAL = /^(\.\.?\/|\/|file:)/

export class CodeGraph {
  readonly root: string
  private readonly modules = new Map<string, Module | null>()
  private readonly byEnd = new Map<string, Array<{ module: Module; fn: FunctionScan }>>()
  private readonly small: Module[] = []
  private readonly exists = new Map<string, boolean>()
  private readonly versions = new Map<string, string>()

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
      const text = m.entry.text
      if (text === undefined) continue
      this.small.push(m)
      for (const fn of scan.functions) {
        if (fn.end < SUFFIX) continue
        const key = text.slice(fn.end - SUFFIX, fn.end)
        let list = this.byEnd.get(key)
        if (!list) this.byEnd.set(key, (list = []))
        list.push({ module: m, fn })
      }
    }
  }

  /** Project modules read, in breadth-first import order from the definitions file. */
  files(): string[] {
    return [...this.modules.values()].flatMap((m) => (m ? [m.path] : []))
  }

  /** The components of the code `fn` uses; `located` is false when its text was found in no project module. */
  componentsOf(fn: (...args: never[]) => unknown): { components: Components; located: boolean } {
    const source = Function.prototype.toString.call(fn)
    const matches = this.locate(source)
    const c = new Collector(this)
    for (const { module, fn: f } of matches) {
      c.module(module)
      for (const ref of f.refs) c.ref(module, ref)
      if (f.outer) c.statement(module, f.stmt)
    }
    return { components: c.done(), located: matches.length > 0 }
  }

  private locate(source: string): Array<{ module: Module; fn: FunctionScan }> {
    const found: Array<{ module: Module; fn: FunctionScan }> = []
    const pick = (module: Module, end: number) => {
      const start = end - source.length
      if (start < 0 || !module.entry.text!.startsWith(source, start)) return
      // The outermost function scope inside the text: its parameters and body.
      let best: FunctionScan | undefined
      for (const fn of module.entry.scan!.functions) if (fn.end === end && fn.start >= start && (!best || fn.start < best.start)) best = fn
      if (best && !found.some((f) => f.module === module && f.fn === best)) found.push({ module, fn: best })
    }
    if (source.length >= SUFFIX) {
      for (const { module, fn } of this.byEnd.get(source.slice(-SUFFIX)) ?? []) pick(module, fn.end)
    } else {
      for (const m of this.small) for (let at = m.entry.text!.indexOf(source); at >= 0; at = m.entry.text!.indexOf(source, at + 1)) pick(m, at + source.length)
    }
    return found
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

  resolve(from: Module, spec: string): Resolved {
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
  packageVersion(name: string, fromDir: string): string {
    const cached = this.versions.get(`${fromDir}\0${name}`)
    if (cached !== undefined) return cached
    let version = '?'
    for (let dir = fromDir; ; dir = dirname(dir)) {
      const found = readVersion(join(dir, 'node_modules', name, 'package.json')) ?? readVersion(join(dir, 'package.json'), name)
      if (found !== undefined) {
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

/** Walks from a compute's references to everything they reach, once each. */
class Collector {
  private readonly out: Components = {}
  private readonly seen = new Set<string>()
  /** Hashes of the non-declaration statements reached, per module label, in module order. */
  private readonly topLevel = new Map<string, Map<number, string>>()

  constructor(private readonly graph: CodeGraph) {}

  private once(key: string): boolean {
    if (this.seen.has(key)) return false
    this.seen.add(key)
    return true
  }

  module(m: Module): void {
    if (!this.once(`m:${m.path}`)) return
    for (const spec of m.entry.scan?.effectImports ?? []) this.specifier(m, spec, undefined, true)
  }

  statement(m: Module, index: number): void {
    const scan = m.entry.scan!
    if (!this.once(`s:${m.path}#${index}`)) return
    const s = scan.statements[index]!
    if (s.names.length) this.out[`code:${m.label}#${s.names.join(',')}`] = s.hash
    else {
      let reached = this.topLevel.get(m.label)
      if (!reached) this.topLevel.set(m.label, (reached = new Map()))
      reached.set(index, s.hash)
    }
    for (const ref of s.refs) this.ref(m, ref)
    for (const name of s.names) for (const j of scan.mutators[name] ?? []) this.statement(m, j)
  }

  ref(m: Module, ref: string): void {
    const scan = m.entry.scan!
    if (ref.startsWith('import:')) return this.specifier(m, ref.slice(7), undefined, true)
    const dot = ref.indexOf('.')
    const name = dot < 0 ? ref : ref.slice(0, dot)
    const member = dot < 0 ? undefined : ref.slice(dot + 1)
    const declared = scan.declared[name]
    if (declared !== undefined) return this.statement(m, declared)
    const imported = scan.imports[name]
    if (!imported) return
    for (const j of scan.mutators[name] ?? []) this.statement(m, j)
    this.binding(m, imported, member)
  }

  private binding(m: Module, b: ImportBinding, member: string | undefined): void {
    if (b.name === '*') this.specifier(m, b.from, member, member === undefined)
    else this.specifier(m, b.from, b.name, false)
  }

  /** What `spec` imported from `m` brings: one export (`name`), or the whole module. */
  private specifier(m: Module, spec: string, name: string | undefined, whole: boolean): void {
    const r = this.graph.resolve(m, spec)
    if (r.kind === 'package') {
      this.out[`package:${r.name}`] = this.graph.packageVersion(r.name, dirname(m.path))
      return
    }
    if (r.kind !== 'local') return
    const target = this.graph.module(r.path)
    if (!target) return
    if (whole || name === undefined) this.whole(target)
    else this.exported(target, name, new Set())
  }

  private exported(m: Module, name: string, visiting: Set<string>): void {
    const scan = m.entry.scan
    if (!scan) return this.whole(m)
    this.module(m)
    const e = scan.exports[name]
    if (e) {
      if ('local' in e) this.ref(m, e.local)
      else this.binding(m, e, undefined)
      return
    }
    visiting.add(m.path)
    for (const spec of scan.starExports) {
      const r = this.graph.resolve(m, spec)
      if (r.kind !== 'local' || visiting.has(r.path)) continue
      const target = this.graph.module(r.path)
      if (target && exportsName(this.graph, target, name, new Set(visiting))) return this.exported(target, name, visiting)
    }
    // Not found statically (e.g. a CommonJS module): all of it.
    this.whole(m)
  }

  private whole(m: Module): void {
    const scan = m.entry.scan
    if (!scan) {
      this.out[`file:${m.label}`] = m.entry.hash
      return
    }
    if (!this.once(`w:${m.path}`)) return
    this.module(m)
    scan.statements.forEach((_, i) => this.statement(m, i))
    for (const e of Object.values(scan.exports)) if ('from' in e) this.binding(m, e, undefined)
    for (const spec of scan.starExports) this.specifier(m, spec, undefined, true)
  }

  done(): Components {
    for (const [label, reached] of this.topLevel) {
      const hashes = [...reached.entries()].sort((a, b) => a[0] - b[0]).map(([, h]) => h)
      this.out[`code:${label}#<top-level>`] = hashes.length === 1 ? hashes[0]! : hashCode(hashes.join('\n'))
    }
    return this.out
  }
}

function exportsName(graph: CodeGraph, m: Module, name: string, visiting: Set<string>): boolean {
  const scan = m.entry.scan
  if (!scan) return false
  if (scan.exports[name]) return true
  visiting.add(m.path)
  return scan.starExports.some((spec) => {
    const r = graph.resolve(m, spec)
    if (r.kind !== 'local' || visiting.has(r.path)) return false
    const target = graph.module(r.path)
    return target !== null && exportsName(graph, target, name, visiting)
  })
}
