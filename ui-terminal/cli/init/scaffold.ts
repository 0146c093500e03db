/**
 * `strata init`: sets up a folder as a Strata project. Only adds: an existing
 * definitions.ts or tsconfig.json is kept as it is, and a package.json field
 * already set to something else is changed only when `decide` agrees.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import { StrataError } from '../../../assets/errors.js'
import { appendLines, dependsOnStrata, gitignoreAdditions, planPackageJson, renderPackageJson, type Conflict } from './package-json.js'
import { DEFINITIONS_FILE, DEFINITIONS_TS, TSCONFIG_JSON } from './templates.js'

export type FileAction = 'created' | 'updated' | 'appended' | 'unchanged'

export interface FileResult {
  file: string
  action: FileAction
  /** What was added: package.json fields, .gitignore lines. */
  changes: string[]
}

export interface Skipped extends Conflict {
  file: string
  /** The command that applies it. */
  apply: string
}

export interface InitReport {
  dir: string
  createdDir: boolean
  changed: boolean
  files: FileResult[]
  skipped: Skipped[]
  /** The commands to run next, in order. */
  next: string[]
}

export interface InitOptions {
  /** Whether to change a field the project already sets otherwise; `strata init --yes` answers true. */
  decide: (conflict: Conflict) => Promise<boolean>
  /** Where the command was run, for the `cd` and `strata init DIR` in what it prints. */
  cwd?: string
}

const read = (path: string): string | undefined => (existsSync(path) ? readFileSync(path, 'utf8') : undefined)

/** A word the shell passes through as it is, else single-quoted. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

function ensureFolder(dir: string): boolean {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true })
    return true
  }
  if (!statSync(dir).isDirectory()) throw new StrataError('STRATA_USAGE', `strata init: ${dir} is a file, not a folder. Give strata init a folder (it is created if missing).`)
  return false
}

/** Writes `text` to `file` in `dir` unless the file exists. */
function createIfMissing(dir: string, file: string, text: string): FileResult {
  const path = join(dir, file)
  if (existsSync(path)) return { file, action: 'unchanged', changes: [] }
  writeFileSync(path, text)
  return { file, action: 'created', changes: [] }
}

function nextCommands(dir: string, cwd: string, pkg: Record<string, unknown>): string[] {
  const rel = relative(cwd, dir)
  const cd = rel === '' ? [] : [`cd ${shellWord(rel.startsWith('..') ? dir : rel)}`]
  const installed = existsSync(join(dir, 'node_modules', 'strata-engine', 'package.json'))
  const first = !dependsOnStrata(pkg) ? 'npm install strata-engine' : installed ? 'npx strata list' : 'npm install'
  return [...cd, first, 'npx strata materialize --stale', 'npx strata ui']
}

export async function initProject(target: string, opts: InitOptions): Promise<InitReport> {
  const cwd = opts.cwd ?? process.cwd()
  const dir = resolve(cwd, target)
  const createdDir = ensureFolder(dir)
  // package.json is read first: when it cannot be updated, nothing is written.
  const pkgPath = join(dir, 'package.json')
  const pkgText = read(pkgPath)
  const plan = planPackageJson(pkgText, basename(dir), pkgPath)
  const accepted: Conflict[] = []
  const skipped: Skipped[] = []
  const rerun = `strata init ${dir === cwd ? '' : `${shellWord(target)} `}--yes`
  for (const conflict of plan.conflicts) {
    if (await opts.decide(conflict)) accepted.push(conflict)
    else skipped.push({ ...conflict, file: 'package.json', apply: rerun })
  }
  const files: FileResult[] = [createIfMissing(dir, DEFINITIONS_FILE, DEFINITIONS_TS), createIfMissing(dir, 'tsconfig.json', TSCONFIG_JSON)]
  const pkgChanges = [...plan.additions, ...accepted.map((c) => c.field)]
  const finalText = pkgChanges.length > 0 ? renderPackageJson(plan, accepted, pkgText) : pkgText!
  if (pkgChanges.length > 0) writeFileSync(pkgPath, finalText)
  files.push({ file: 'package.json', action: plan.created ? 'created' : pkgChanges.length > 0 ? 'updated' : 'unchanged', changes: pkgChanges })

  const ignorePath = join(dir, '.gitignore')
  const ignoreText = read(ignorePath)
  const lines = gitignoreAdditions(ignoreText)
  if (lines.length > 0) writeFileSync(ignorePath, appendLines(ignoreText, lines))
  files.push({ file: '.gitignore', action: lines.length === 0 ? 'unchanged' : ignoreText === undefined ? 'created' : 'appended', changes: lines })

  return {
    dir,
    createdDir,
    changed: createdDir || files.some((f) => f.action !== 'unchanged'),
    files,
    skipped,
    next: nextCommands(dir, cwd, JSON.parse(finalText) as Record<string, unknown>),
  }
}
