/**
 * What changed between two versions of an asset, from their components: the
 * code it uses (`helper ./lib.ts (factor)`) and the parts of its definition
 * (`mapping of input "history" changed: -7..-1 → -7..0`). Worded here once,
 * for `strata why`/`list` reasons and for `strata dev`.
 */
import type { Components } from './code-graph.js'

export type VersionChange =
  | { kind: 'code'; text: string }
  | { kind: 'definition'; text: string }
  | { kind: 'dependency-added' | 'dependency-removed'; dep: string }

const CODE = /^(compute$|code:|file:|package:)/

function changedKeys(prev: Components, curr: Components): string[] {
  const keys = new Set([...Object.keys(prev), ...Object.keys(curr)])
  return [...keys].filter((k) => prev[k] !== curr[k]).sort()
}

/** Code changes, grouped by module: `compute`, `helper ./lib.ts (factor, scale)`, `package apache-arrow 20.0.0 → 21.0.0`. */
function codeChanges(prev: Components, curr: Components, keys: readonly string[]): string[] {
  const out: string[] = []
  const helpers = new Map<string, string[]>()
  for (const k of keys) {
    if (k === 'compute') out.push('compute')
    else if (k.startsWith('code:')) {
      const hash = k.lastIndexOf('#')
      const label = k.slice(5, hash)
      const names = k.slice(hash + 1)
      let list = helpers.get(label)
      if (!list) helpers.set(label, (list = []))
      list.push(names === '<top-level>' ? 'top-level code' : names.split(',').join(', '))
    } else if (k.startsWith('file:')) out.push(`file ${k.slice(5)}`)
    else if (k.startsWith('package:')) {
      const name = k.slice(8)
      out.push(prev[k] === undefined ? `package ${name} (now used)` : curr[k] === undefined ? `package ${name} (no longer used)` : `package ${name} ${prev[k]} → ${curr[k]}`)
    }
  }
  for (const [label, names] of helpers) out.push(`helper ${label} (${names.join(', ')})`)
  return out
}

const upstreamOf = (c: Components): Map<string, string> => {
  const ins = new Map<string, string>()
  for (const [k, v] of Object.entries(c)) if (k.startsWith('in:') && k.indexOf(':', 3) < 0) ins.set(k.slice(3), v)
  return ins
}
const depsOf = (c: Components) => new Set(Object.keys(c).filter((k) => k.startsWith('dep:')).map((k) => k.slice(4)))
const upstreamKeys = (ins: Map<string, string>, deps: Set<string>) => new Set([...[...ins.values()].filter((v) => v !== 'self'), ...deps])

function inputChanges(prev: Components, curr: Components): VersionChange[] {
  const out: VersionChange[] = []
  const before = upstreamOf(prev)
  const after = upstreamOf(curr)
  const upBefore = upstreamKeys(before, depsOf(prev))
  const upAfter = upstreamKeys(after, depsOf(curr))
  const explained = new Set<string>()
  const def = (text: string) => out.push({ kind: 'definition', text })
  const removed = [...before.keys()].filter((n) => !after.has(n))
  const added = [...after.keys()].filter((n) => !before.has(n))
  for (const name of removed) {
    const renamedTo = added.find((n) => after.get(n) === before.get(name))
    if (renamedTo !== undefined) {
      def(`input "${name}" renamed to "${renamedTo}"`)
      added.splice(added.indexOf(renamedTo), 1)
    } else if (upAfter.has(before.get(name)!) || before.get(name) === 'self') def(`input "${name}" (${before.get(name)}) removed`)
  }
  for (const name of added) if (upBefore.has(after.get(name)!) || after.get(name) === 'self') def(`new input "${name}" reads ${after.get(name)}`)
  for (const [name, key] of after) {
    const was = before.get(name)
    if (was === undefined) continue
    if (was !== key) {
      def(`input "${name}" now reads ${key} (was ${was})`)
      explained.add(key).add(was)
    }
    for (const [option, empty] of [['mapping', 'default'], ['allowFuture', 'false'], ['pointInTime', 'window end'], ['allowMissing', 'false']] as const) {
      const a = prev[`in:${name}:${option}`] ?? empty
      const b = curr[`in:${name}:${option}`] ?? empty
      if (a !== b) def(`${option === 'mapping' ? 'mapping' : option} of input "${name}" changed: ${a} → ${b}`)
    }
  }
  for (const key of upAfter) if (!upBefore.has(key) && !explained.has(key)) out.push({ kind: 'dependency-added', dep: key })
  for (const key of upBefore) if (!upAfter.has(key) && !explained.has(key)) out.push({ kind: 'dependency-removed', dep: key })
  const depsBefore = depsOf(prev)
  const depsAfter = depsOf(curr)
  for (const d of depsAfter) if (!depsBefore.has(d) && upBefore.has(d)) def(`${d} is now also an order-only dependency`)
  for (const d of depsBefore) if (!depsAfter.has(d) && upAfter.has(d)) def(`order-only dependency ${d} removed (it is still an input)`)
  return out
}

function otherChanges(prev: Components, curr: Components, keys: readonly string[]): string[] {
  const out: string[] = []
  for (const k of keys) {
    const a = prev[k]
    const b = curr[k]
    if (k === 'partitions') out.push(a === undefined ? `now partitioned: ${b}` : b === undefined ? `no longer partitioned (was ${a})` : `partitions changed: ${a} → ${b}`)
    else if (k === 'backfillPolicy') out.push(`backfill policy changed: ${a ?? 'none'} → ${b ?? 'none'}`)
    else if (k.startsWith('check:') && !k.endsWith(':contract')) {
      const name = k.slice(6)
      out.push(a === undefined ? `new check "${name}"` : b === undefined ? `check "${name}" removed` : `check "${name}" is now ${b}`)
    } else if (k.startsWith('check:')) {
      const name = k.slice(6, -':contract'.length)
      if (prev[`check:${name}`] !== undefined && curr[`check:${name}`] !== undefined) out.push(`contract of check "${name}" changed`)
    } else if (k.startsWith('model:')) {
      const name = k.slice(6)
      out.push(a === undefined ? `now reads the production version of model ${name}` : `no longer reads the production version of model ${name}`)
    } else if (k.startsWith('versionInput:')) {
      const name = k.slice(13)
      out.push(a === undefined ? `new version input "${name}"` : b === undefined ? `version input "${name}" removed` : `version input "${name}" changed`)
    }
  }
  return out
}

/** Every change between two versions' components, code first. */
export function diffComponents(prev: Components, curr: Components): VersionChange[] {
  const keys = changedKeys(prev, curr)
  const code = codeChanges(prev, curr, keys.filter((k) => CODE.test(k)))
  return [
    ...code.map((text): VersionChange => ({ kind: 'code', text })),
    ...inputChanges(prev, curr),
    ...otherChanges(prev, curr, keys.filter((k) => !CODE.test(k) && !k.startsWith('in:') && !k.startsWith('dep:'))).map((text): VersionChange => ({ kind: 'definition', text })),
  ]
}

/** One line per change, as `strata dev` prints them. */
export function describeChanges(changes: readonly VersionChange[]): string[] {
  const code = changes.flatMap((c) => (c.kind === 'code' ? [c.text] : []))
  const rest = changes.flatMap((c) => (c.kind === 'definition' ? [c.text] : c.kind === 'dependency-added' ? [`new dependency ${c.dep}`] : c.kind === 'dependency-removed' ? [`dependency ${c.dep} was removed`] : []))
  return [...(code.length ? [`code changed: ${code.join('; ')}`] : []), ...rest]
}
