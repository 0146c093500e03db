// Contract documents (inline and YAML files), the check()/dataContract()
// declaration API and asset({ checks }) validation.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import { asset, check, dataContract, normalizeContract } from '../../assets/index.js'
import { loadContractFile } from '../../engine/checks/contract-file.js'
import { validateContract } from '../../engine/checks/contract.js'

const dir = mkdtempSync(join(tmpdir(), 'strata-contracts-'))
after(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
function file(text: string, ext = 'yaml'): string {
  const path = join(dir, `c${n++}.contract.${ext}`)
  writeFileSync(path, text)
  return path
}

/** Asserts a STRATA_INVALID_CONTRACT error whose message matches every pattern. */
function invalid(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (err: any) => {
    assert.equal(err.code, 'STRATA_INVALID_CONTRACT', `expected STRATA_INVALID_CONTRACT, got ${err.code}: ${err.message}`)
    for (const p of patterns) assert.match(err.message, p)
    return true
  })
}

describe('contract documents', () => {
  it('normalizes defaults: nullable true, additional fields allowed, daily_row_count_min as the minimum', () => {
    const c = normalizeContract({ source: 's', schema_version: 2, fields: [{ name: 'a', type: 'string' }], expectations: { daily_row_count_min: 5, null_rate_max: { a: 0.1 } } })
    assert.deepEqual(c, { source: 's', schemaVersion: 2, fields: [{ name: 'a', type: 'string', nullable: true }], rowCountMin: 5, nullRateMax: { a: 0.1 }, additionalFields: true })
  })

  it('lists every problem of a malformed contract at once', () => {
    invalid(
      () =>
        normalizeContract({
          source: 'x',
          fields: [
            { name: 'a', type: 'int' },
            { type: 'string' },
            { name: 'c', type: 'enum' },
            { name: 'd', type: 'string', min: 1 },
            { name: 'e', type: 'number', min: 5, max: 1 },
            { name: 'a', type: 'string' },
            { name: 'f', type: 'string', nulable: false },
            { name: 'g', type: 'boolean', values: [true] },
          ],
          expectations: { daily_row_count_min: -1, null_rate_max: { zz: 0.5, a: 2 }, row_count: 3 },
          colour: 'red',
        }),
      /Invalid data contract \(inline\):/,
      /fields\[0\] \(a\): unknown type "int" \(use one of string, integer, number, boolean, timestamp, enum\)/,
      /fields\[1\]: missing "name"/,
      /fields\[2\] \(c\): an enum needs "values"/,
      /fields\[3\] \(d\): "min" is only allowed with type integer or number/,
      /fields\[4\] \(e\): min 5 is greater than max 1/,
      /fields\[5\] \(a\): field "a" is declared twice/,
      /fields\[6\] \(f\): unknown key "nulable"/,
      /fields\[7\] \(g\): "values" is only allowed with type enum/,
      /expectations.daily_row_count_min must be a whole number ≥ 0, got -1/,
      /expectations.null_rate_max: "zz" is not a declared field/,
      /expectations.null_rate_max.a must be a number in \[0, 1\], got 2/,
      /expectations: unknown key "row_count"/,
      /unknown key "colour"/,
    )
  })

  it('rejects documents without a field list and non-mapping documents', () => {
    invalid(() => normalizeContract({ source: 'x' }), /"fields" must be a list/)
    invalid(() => normalizeContract([1, 2]), /expected a mapping with "fields".*got a list/)
    invalid(() => normalizeContract(null), /expected a mapping/)
  })

  it('loads a YAML contract file and validates data with it', () => {
    const path = file(`source: flights
schema_version: 1
fields:
  - { name: origin, type: string, nullable: false }
  - { name: carrier, type: enum, values: [AA, UA] }
expectations:
  daily_row_count_min: 2
`)
    const c = loadContractFile(pathToFileURL(path))
    assert.equal(c.source, 'flights')
    assert.equal(c.rowCountMin, 2)
    assert.equal(validateContract(c, [{ origin: 'SFO', carrier: 'AA' }, { origin: 'JFK', carrier: 'UA' }]).passed, true)
    assert.equal(validateContract(c, [{ origin: 'SFO', carrier: 'DL' }]).violations.length, 2)
    // JSON is YAML too.
    assert.equal(loadContractFile(file(JSON.stringify({ fields: [{ name: 'a', type: 'integer' }] }), 'json')).fields[0]!.type, 'integer')
  })

  it('malformed contract files: YAML syntax, a bad document, a missing file — each names the file', () => {
    const syntax = file('fields:\n  - { name: a, type: string\n')
    invalid(() => loadContractFile(syntax), new RegExp(`Invalid data contract ${syntax}: not valid YAML`))
    const badType = file('fields:\n  - name: a\n    type: float\n  - type: string\n')
    invalid(() => loadContractFile(badType), new RegExp(`Invalid data contract ${badType}:`), /unknown type "float"/, /fields\[1\]: missing "name"/)
    const empty = file('')
    invalid(() => loadContractFile(empty), /expected a mapping/)
    invalid(() => loadContractFile(join(dir, 'nope.yaml')), /Data contract file .*nope\.yaml does not exist/)
  })

  it('re-reads a contract file after it changes', () => {
    const path = file('fields:\n  - { name: a, type: string }\n')
    assert.equal(loadContractFile(path).fields[0]!.type, 'string')
    writeFileSync(path, 'fields:\n  - { name: a, type: integer }\n  - { name: b, type: boolean }\n')
    const later = new Date(Date.now() + 5000)
    utimesSync(path, later, later)
    const c = loadContractFile(path)
    assert.deepEqual(c.fields.map((f) => f.type), ['integer', 'boolean'])
  })
})

describe('check() and dataContract()', () => {
  it('check() defaults to blocking and validates its spec', () => {
    const c = check({ name: 'positive', fn: () => true })
    assert.equal(c.blocking, true)
    assert.equal(check({ name: 'w', blocking: false, fn: () => true }).blocking, false)
    assert.throws(() => check({ name: '', fn: () => true }), { code: 'STRATA_INVALID_ASSET' })
    assert.throws(() => check({ name: 'has space', fn: () => true }), { code: 'STRATA_INVALID_ASSET' })
    assert.throws(() => check({ name: 'x' } as any), /has no fn/)
    assert.throws(() => check({ name: 'x', blocking: 'yes', fn: () => true } as any), /blocking must be true or false/)
  })

  it('dataContract names: contract:<source> inline, contract for a file, or the given name', () => {
    assert.equal(dataContract({ source: 'flights', fields: [] }).name, 'contract:flights')
    assert.equal(dataContract({ fields: [] }).name, 'contract')
    const url = new URL('./flights.contract.yaml', import.meta.url)
    const fromFile = dataContract({ file: url })
    assert.equal(fromFile.name, 'contract')
    assert.deepEqual(fromFile.contract, { kind: 'file', url: url.href })
    assert.equal(dataContract({ file: url, name: 'contract:flights', blocking: false }).blocking, false)
    assert.equal(dataContract({ file: '/abs/x.yaml' }).contract!.kind, 'file')
    assert.equal(dataContract({ source: 's', fields: [] }, { name: 'schema', blocking: false }).name, 'schema')
  })

  it('an inline contract is validated when declared; a relative file path is refused', () => {
    invalid(() => dataContract({ source: 'x', fields: [{ name: 'a', type: 'float' as any }] }), /Invalid data contract "x":/, /unknown type "float"/)
    invalid(() => dataContract({ file: 'contracts/x.yaml' }), /relative path.*new URL\('\.\/contracts\/x\.yaml', import\.meta\.url\)/)
    invalid(() => dataContract({ file: new URL('https://example.com/x.yaml') }), /must be a file: URL/)
  })

  it('asset({ checks }) keeps checks in order and rejects duplicate names with STRATA_INVALID_ASSET', () => {
    const a = asset({ key: 'a', compute: () => [1], checks: [check({ name: 'one', fn: () => true }), dataContract({ fields: [] })] })
    assert.deepEqual(a.checks.map((c) => c.name), ['one', 'contract'])
    assert.deepEqual(asset({ key: 'b', compute: () => 1 }).checks, [])
    assert.throws(
      () => asset({ key: 'c', compute: () => [1], checks: [dataContract({ fields: [] }), dataContract({ file: '/x.yaml' })] }),
      (err: any) => err.code === 'STRATA_INVALID_ASSET' && /Asset "c" has two checks named "contract"/.test(err.message),
    )
    assert.throws(() => asset({ key: 'd', compute: () => 1, checks: 'x' as any }), { code: 'STRATA_INVALID_ASSET' })
    assert.throws(() => asset({ key: 'e', compute: () => 1, checks: [undefined as any] }), /checks\[0\] is undefined/)
  })

  it('the code version does not depend on checks: editing a check does not make data stale', () => {
    const compute = () => [1, 2]
    const a = asset({ key: 'a', compute, checks: [check({ name: 'x', fn: () => true })] })
    const b = asset({ key: 'a', compute, checks: [check({ name: 'y', fn: () => false })] })
    assert.equal(a.codeVersion, b.codeVersion)
  })
})
