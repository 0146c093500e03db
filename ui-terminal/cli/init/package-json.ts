/**
 * The package.json and .gitignore edits of `strata init`, as pure functions of
 * the files' current text, so what would change (and what conflicts) is known
 * before anything is written or asked.
 */
import { StrataError } from '../../../assets/errors.js'
import { SCRIPTS, STRATA_IGNORE_LINES } from './templates.js'

/** A field the project already sets to something else: changed only when the user agrees (or --yes). */
export interface Conflict {
  /** `type` or `scripts.NAME`. */
  field: string
  current: unknown
  wanted: string
  /** Why Strata wants it, or what changing it does. */
  why: string
}

export interface PackagePlan {
  /** The parsed package.json (a new one when the folder had none). */
  pkg: Record<string, unknown>
  created: boolean
  /** Fields added where nothing was set: no question needed. */
  additions: string[]
  conflicts: Conflict[]
}

/** npm's rules for a package name, from a folder name: lowercase, URL-safe, not starting with . or _. */
export function packageNameFor(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+/, '')
    .replace(/-+$/, '')
    .slice(0, 214)
  return name || 'strata-project'
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function parsePackageJson(text: string, path: string): Record<string, unknown> {
  let pkg: unknown
  try {
    pkg = JSON.parse(text)
  } catch (err) {
    throw new StrataError('STRATA_INVALID_PACKAGE_JSON', `${path} is not valid JSON (${(err as Error).message}): fix it, then run strata init again.`)
  }
  if (!isObject(pkg)) throw new StrataError('STRATA_INVALID_PACKAGE_JSON', `${path} must hold a JSON object ({ "name": … }); fix it, then run strata init again.`)
  if (pkg.scripts !== undefined && !isObject(pkg.scripts)) {
    throw new StrataError('STRATA_INVALID_PACKAGE_JSON', `${path}: "scripts" must be an object of script names to commands (it is ${JSON.stringify(pkg.scripts)}); fix it, then run strata init again.`)
  }
  return pkg
}

/** What `strata init` would change in package.json (`text` undefined: there is none yet). */
export function planPackageJson(text: string | undefined, folder: string, path = 'package.json'): PackagePlan {
  if (text === undefined) {
    const pkg = { name: packageNameFor(folder), private: true, type: 'module', scripts: { ...SCRIPTS } }
    return { pkg, created: true, additions: ['name', 'private', 'type', ...Object.keys(SCRIPTS).map((s) => `scripts.${s}`)], conflicts: [] }
  }
  const pkg = parsePackageJson(text, path)
  const additions: string[] = []
  const conflicts: Conflict[] = []
  if (pkg.type === undefined) additions.push('type')
  else if (pkg.type !== 'module') {
    conflicts.push({
      field: 'type',
      current: pkg.type,
      wanted: 'module',
      why: 'definitions are ES modules; with "module", every .js file of this package is loaded as an ES module too',
    })
  }
  const scripts = (pkg.scripts ?? {}) as Record<string, unknown>
  for (const [name, command] of Object.entries(SCRIPTS)) {
    if (scripts[name] === undefined) additions.push(`scripts.${name}`)
    else if (scripts[name] !== command) conflicts.push({ field: `scripts.${name}`, current: scripts[name], wanted: command, why: `npm run ${name} would run ${command}` })
  }
  return { pkg, created: false, additions, conflicts }
}

function setField(pkg: Record<string, unknown>, field: string, value: string): void {
  if (field.startsWith('scripts.')) pkg.scripts = { ...((pkg.scripts as Record<string, unknown> | undefined) ?? {}), [field.slice('scripts.'.length)]: value }
  else pkg[field] = value
}

/**
 * package.json with the additions and the accepted conflicts applied, in the
 * file's own indentation; existing keys keep their order, new ones go last.
 */
export function renderPackageJson(plan: PackagePlan, accepted: readonly Conflict[], text?: string): string {
  const pkg = structuredClone(plan.pkg)
  for (const field of plan.additions) {
    if (field === 'type') pkg.type = 'module'
    else if (field.startsWith('scripts.')) setField(pkg, field, SCRIPTS[field.slice('scripts.'.length)]!)
  }
  for (const c of accepted) setField(pkg, c.field, c.wanted)
  const indent = text === undefined ? 2 : (/^[{[][^\n]*\n([ \t]+)\S/.exec(text)?.[1] ?? 2)
  return `${JSON.stringify(pkg, null, indent)}\n`
}

/** True when package.json lists strata-engine among its dependencies of any kind. */
export function dependsOnStrata(pkg: Record<string, unknown>): boolean {
  return ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'].some((k) => isObject(pkg[k]) && (pkg[k] as Record<string, unknown>)['strata-engine'] !== undefined)
}

/**
 * The lines to add to .gitignore (`text` undefined: there is none yet), or []
 * when `.strata/` is already ignored.
 */
export function gitignoreAdditions(text: string | undefined): string[] {
  if (text === undefined) return ['node_modules/', '.strata/']
  const lines = text.split(/\r?\n/).map((l) => l.trim())
  return lines.some((l) => STRATA_IGNORE_LINES.includes(l)) ? [] : ['.strata/']
}

/** `text` with `lines` appended, on a line of their own. */
export function appendLines(text: string | undefined, lines: readonly string[]): string {
  const before = text === undefined || text === '' ? '' : text.endsWith('\n') ? text : `${text}\n`
  return `${before}${lines.map((l) => `${l}\n`).join('')}`
}
