/**
 * The JSON Schemas under schemas/, compiled once, to check what the real CLI
 * prints with --json against what is documented.
 */
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js'
import { REPO_ROOT } from '../integration/helpers.js'

export const SCHEMA_DIR = join(REPO_ROOT, 'schemas')

/** Every schema file's name without `.schema.json`, e.g. `list`, `backfill-show`. */
export const SCHEMA_NAMES = readdirSync(SCHEMA_DIR)
  .filter((f) => f.endsWith('.schema.json'))
  .map((f) => f.slice(0, -'.schema.json'.length))
  .sort()

// strict: a typo in a schema keyword is an error, not a silently ignored constraint.
const ajv = new Ajv2020.default({ strict: true, allErrors: true, allowUnionTypes: true })
for (const name of SCHEMA_NAMES) ajv.addSchema(JSON.parse(readFileSync(join(SCHEMA_DIR, `${name}.schema.json`), 'utf8')))

const compiled = new Map<string, ValidateFunction>()
function validator(name: string): ValidateFunction {
  let v = compiled.get(name)
  if (!v) {
    v = ajv.getSchema(`${name}.schema.json`)
    assert.ok(v, `no schema schemas/${name}.schema.json`)
    compiled.set(name, v)
  }
  return v
}

/** Schemas the tests validated real output against (every command's must be among them). */
export const validated = new Set<string>()

/** Asserts `doc` matches schemas/NAME.schema.json, listing every violation. */
export function expectSchema(name: string, doc: unknown, context = ''): void {
  const v = validator(name)
  validated.add(name)
  if (!v(doc)) {
    const errors = (v.errors ?? []).map((e) => `  ${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`).join('\n')
    assert.fail(`${context || name}: does not match schemas/${name}.schema.json:\n${errors}\n${JSON.stringify(doc, null, 2).slice(0, 3000)}`)
  }
}

/**
 * Paths of the empty strings in a document: an absent value is null, never
 * "" (user data such as metadata is not walked; pass `skip` for its keys).
 */
export function emptyStrings(doc: unknown, skip: ReadonlySet<string> = new Set(['metadata', 'metrics', 'config', 'data', 'tags']), path = ''): string[] {
  if (doc === '') return [path || '/']
  if (Array.isArray(doc)) return doc.flatMap((x, i) => emptyStrings(x, skip, `${path}/${i}`))
  if (doc && typeof doc === 'object') return Object.entries(doc).flatMap(([k, v]) => (skip.has(k) ? [] : emptyStrings(v, skip, `${path}/${k}`)))
  return []
}
