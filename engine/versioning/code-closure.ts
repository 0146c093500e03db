/**
 * What a set of references reaches, as version components, computed once per
 * statement and shared by every compute that reaches it (1,000 computes
 * calling the same helpers walk them once). The graph: a statement reaches
 * the statements and imports its references resolve to, and the top-level
 * code that may change the bindings it declares; a module entered reaches
 * what it imports for effects; a module used as a whole reaches all of it.
 * Cycles (mutually recursive helpers) are strongly connected components and
 * share one closure.
 */
import { hashCode } from '../../assets/code-version.js'
import type { Components } from './code-graph.js'
import type { ImportBinding } from './js-scan.js'
import type { ModuleEntry } from './module-cache.js'

export interface ReachModule {
  path: string
  label: string
  entry: ModuleEntry
}

export type ReachResolved = { kind: 'local'; path: string } | { kind: 'package'; name: string } | { kind: 'ignored' }

/** What the walk needs of the project: modules, import resolution and package versions. */
export interface ReachGraph {
  module(path: string): ReachModule | null
  resolve(from: ReachModule, spec: string): ReachResolved
  packageVersion(name: string, fromPath: string): string
}

interface Closure {
  components: Map<string, string>
  /** Reached top-level code that is not a declaration: module label → statement index → hash. */
  topLevel: Map<string, Map<number, string>>
  /** `components` as an array, for the many merges into a compute's result. */
  entries?: Array<[string, string]>
}

interface Node {
  own: Closure
  children: string[]
}

const empty = (): Closure => ({ components: new Map(), topLevel: new Map() })

function merge(into: Closure, from: Closure): void {
  for (const [k, v] of from.components) into.components.set(k, v)
  for (const [label, statements] of from.topLevel) {
    let mine = into.topLevel.get(label)
    if (!mine) into.topLevel.set(label, (mine = new Map()))
    for (const [i, h] of statements) mine.set(i, h)
  }
}

export class Reach {
  private readonly nodes = new Map<string, Node>()
  private readonly closures = new Map<string, Closure>()
  /** Modules by number, so that node ids stay short: `S3:12` is statement 12 of module 3. */
  private readonly numbers = new Map<string, number>()
  private readonly modules: ReachModule[] = []
  /** What each (module, reference) resolves to. */
  private readonly refs = new Map<string, string[]>()

  constructor(private readonly graph: ReachGraph) {}

  /** The components reached from `refs` of module `m` (plus statement `stmt` as a whole, when given). */
  components(targets: ReadonlyArray<{ module: ReachModule; refs: readonly string[]; stmt?: number }>): Components {
    const children = new Set<string>()
    for (const t of targets) {
      children.add(this.id('E', t.module))
      for (const ref of t.refs) for (const id of this.refNodes(t.module, ref)) children.add(id)
      if (t.stmt !== undefined) children.add(this.id('S', t.module, t.stmt))
    }
    const out: Components = {}
    const reached = empty()
    for (const child of children) {
      const c = this.closureOf(child)
      for (const [k, v] of (c.entries ??= [...c.components])) out[k] = v
      if (c.topLevel.size) merge(reached, { components: reached.components, topLevel: c.topLevel })
    }
    for (const [label, statements] of reached.topLevel) {
      const hashes = [...statements.entries()].sort((a, b) => a[0] - b[0]).map(([, h]) => h)
      out[`code:${label}#<top-level>`] = hashes.length === 1 ? hashes[0]! : hashCode(hashes.join('\n'))
    }
    return out
  }

  private id(kind: 'S' | 'E' | 'W', m: ReachModule, index?: number): string {
    let n = this.numbers.get(m.path)
    if (n === undefined) {
      n = this.modules.push(m) - 1
      this.numbers.set(m.path, n)
    }
    return index === undefined ? `${kind}${n}` : `${kind}${n}:${index}`
  }

  private refNodes(m: ReachModule, ref: string): string[] {
    const key = `${this.id('E', m)}\0${ref}`
    let ids = this.refs.get(key)
    if (!ids) {
      const out = new Set<string>()
      this.refTargets(m, ref, out)
      this.refs.set(key, (ids = [...out]))
    }
    return ids
  }

  private node(id: string): Node {
    let n = this.nodes.get(id)
    if (n) return n
    const own = empty()
    const children = new Set<string>()
    const kind = id[0]
    if (kind === 'T') {
      const [, key, value] = id.split('\0') as [string, string, string]
      own.components.set(key, value)
    } else {
      const colon = id.indexOf(':')
      const m = this.modules[Number(colon < 0 ? id.slice(1) : id.slice(1, colon))]!
      const index = colon < 0 ? undefined : id.slice(colon + 1)
      const scan = m.entry.scan
      if (kind === 'S') {
        const i = Number(index)
        const s = scan!.statements[i]!
        if (s.names.length) own.components.set(`code:${m.label}#${s.names.join(',')}`, s.hash)
        else own.topLevel.set(m.label, new Map([[i, s.hash]]))
        children.add(this.id('E', m))
        for (const ref of s.refs) for (const c of this.refNodes(m, ref)) children.add(c)
        for (const name of s.names) for (const j of scan!.mutators[name] ?? []) children.add(this.id('S', m, j))
      } else if (kind === 'E') {
        for (const spec of scan?.effectImports ?? []) this.specTargets(m, spec, undefined, children)
      } else if (!scan) {
        own.components.set(`file:${m.label}`, m.entry.hash)
      } else {
        children.add(this.id('E', m))
        scan.statements.forEach((_, i) => children.add(this.id('S', m, i)))
        for (const e of Object.values(scan.exports)) if ('from' in e) this.bindingTargets(m, e, undefined, children)
        for (const spec of scan.starExports) this.specTargets(m, spec, undefined, children)
      }
    }
    n = { own, children: [...children] }
    this.nodes.set(id, n)
    return n
  }

  private refTargets(m: ReachModule, ref: string, out: Set<string>): void {
    const scan = m.entry.scan!
    if (ref.startsWith('import:')) return this.specTargets(m, ref.slice(7), undefined, out)
    const dot = ref.indexOf('.')
    const name = dot < 0 ? ref : ref.slice(0, dot)
    const declared = scan.declared[name]
    if (declared !== undefined) {
      out.add(this.id('S', m, declared))
      return
    }
    const imported = scan.imports[name]
    if (!imported) return
    for (const j of scan.mutators[name] ?? []) out.add(this.id('S', m, j))
    this.bindingTargets(m, imported, dot < 0 ? undefined : ref.slice(dot + 1), out)
  }

  private bindingTargets(m: ReachModule, b: ImportBinding, member: string | undefined, out: Set<string>): void {
    this.specTargets(m, b.from, b.name === '*' ? member : b.name, out)
  }

  /** What `spec` imported from `m` brings: one export (`name`), or the whole module. */
  private specTargets(m: ReachModule, spec: string, name: string | undefined, out: Set<string>): void {
    const r = this.graph.resolve(m, spec)
    if (r.kind === 'package') out.add(`T\0package:${r.name}\0${this.graph.packageVersion(r.name, m.path)}`)
    if (r.kind !== 'local') return
    const target = this.graph.module(r.path)
    if (!target) return
    if (name === undefined || !target.entry.scan) out.add(this.id('W', target))
    else this.exportTargets(target, name, new Set(), out)
  }

  private exportTargets(m: ReachModule, name: string, visiting: Set<string>, out: Set<string>): void {
    const scan = m.entry.scan!
    out.add(this.id('E', m))
    const e = scan.exports[name]
    if (e) {
      if ('local' in e) this.refTargets(m, e.local, out)
      else this.bindingTargets(m, e, undefined, out)
      return
    }
    visiting.add(m.path)
    for (const spec of scan.starExports) {
      const r = this.graph.resolve(m, spec)
      const target = r.kind === 'local' && !visiting.has(r.path) ? this.graph.module(r.path) : null
      if (target?.entry.scan && this.exportsName(target, name, new Set(visiting))) return this.exportTargets(target, name, visiting, out)
    }
    // Not found statically (e.g. a CommonJS module): all of it.
    out.add(this.id('W', m))
  }

  private exportsName(m: ReachModule, name: string, visiting: Set<string>): boolean {
    const scan = m.entry.scan
    if (!scan) return false
    if (scan.exports[name]) return true
    visiting.add(m.path)
    return scan.starExports.some((spec) => {
      const r = this.graph.resolve(m, spec)
      const target = r.kind === 'local' && !visiting.has(r.path) ? this.graph.module(r.path) : null
      return target !== null && this.exportsName(target, name, visiting)
    })
  }

  /** Tarjan's strongly connected components, memoizing each component's closure. */
  private closureOf(root: string): Closure {
    const done = this.closures.get(root)
    if (done) return done
    const index = new Map<string, number>()
    const low = new Map<string, number>()
    const stack: string[] = []
    const onStack = new Set<string>()
    let next = 0
    const strong = (v: string): void => {
      index.set(v, next)
      low.set(v, next++)
      stack.push(v)
      onStack.add(v)
      for (const w of this.node(v).children) {
        if (this.closures.has(w)) continue
        if (!index.has(w)) {
          strong(w)
          low.set(v, Math.min(low.get(v)!, low.get(w)!))
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
      }
      if (low.get(v) !== index.get(v)) return
      const members: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        members.push(w)
      } while (w !== v)
      const inside = new Set(members)
      const closure = empty()
      for (const u of members) {
        const n = this.node(u)
        merge(closure, n.own)
        for (const c of n.children) if (!inside.has(c)) merge(closure, this.closures.get(c)!)
      }
      for (const u of members) this.closures.set(u, closure)
    }
    strong(root)
    return this.closures.get(root)!
  }
}
