// The compute function's own hash: comments and formatting never count, code does.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { asset, codeVersionOf } from '../../assets/index.js'
import { jsTokens, normalizeTokens } from '../../assets/code-version.js'

const norm = (src: string) => normalizeTokens(jsTokens(src))

describe('compute source normalization', () => {
  it('ignores comments, whitespace, semicolons at line ends, trailing commas, quote style and lone arrow parentheses', () => {
    const a = `(ctx, { a }) => { const s = 'x'; return a.map((v) => v * 2) }`
    const b = `(ctx, {a}) => {
      // doubles every value
      const s = "x" /* the same string */
      return a.map(v => v * 2,)
    }`
    assert.equal(norm(a), norm(b))
    assert.equal(norm(a), '( ctx , { a } ) => { const s = "x" return a . map ( v => v * 2 ) }')
  })

  it('keeps what changes behaviour: string, template and regular expression contents, operators, a semicolon before a parenthesis', () => {
    assert.notEqual(norm(`() => 'a b'`), norm(`() => 'a  b'`))
    assert.notEqual(norm('() => `x ${a} y`'), norm('() => `x ${a}  y`'))
    assert.notEqual(norm('() => /a b/.test(s)'), norm('() => /a  b/.test(s)'))
    assert.notEqual(norm('() => a - -b'), norm('() => a - b'))
    assert.notEqual(norm('() => { a\n;(b) }'), norm('() => { a\n(b) }'))
  })

  it('does not take // inside strings, templates or regular expressions for a comment', () => {
    assert.notEqual(norm(`() => 'http://x' + y`), norm(`() => 'http://x' + z`))
    assert.notEqual(norm('() => `//${y}`'), norm('() => `//${z}`'))
    assert.notEqual(norm('() => /\\/\\//.test(y)'), norm('() => /\\/\\//.test(z)'))
    assert.deepEqual(jsTokens('f(`a${`b${c}`}d`) // e'), ['f', '(', '`a${', '`b${', 'c', '}`', '}d`', ')'])
  })

  it('gives asset() the same version for a re-commented compute and a new one for changed code', () => {
    const v1 = asset({ key: 'a', compute: (_ctx) => [1, 2, 3] }).codeVersion
    // prettier-ignore
    const v2 = asset({ key: 'a', compute: _ctx => /* three values */ [1, 2, 3,] }).codeVersion
    const v3 = asset({ key: 'a', compute: (_ctx) => [1, 2, 4] }).codeVersion
    assert.equal(v1, v2)
    assert.notEqual(v1, v3)
    assert.match(v1, /^[0-9a-f]{16}$/)
    assert.equal(codeVersionOf(() => 1), codeVersionOf(() => /* one */ 1))
  })
})

describe('versionInputs', () => {
  it('are kept as canonical JSON by name, so key order does not count', () => {
    const a = asset({ key: 'a', versionInputs: { hp: { depth: 6, eta: 0.3 }, days: ['2024-01-01'] }, compute: () => 1 })
    const b = asset({ key: 'a', versionInputs: { days: ['2024-01-01'], hp: { eta: 0.3, depth: 6 } }, compute: () => 1 })
    assert.deepEqual(a.versionInputs, { hp: '{"depth":6,"eta":0.3}', days: '["2024-01-01"]' })
    assert.deepEqual(b.versionInputs, a.versionInputs)
    assert.deepEqual(asset({ key: 'a', compute: () => 1 }).versionInputs, {})
  })

  it('reject values that are not JSON data, and a pinned codeVersion', () => {
    assert.throws(() => asset({ key: 'a', versionInputs: { f: () => 1 }, compute: () => 1 }), { code: 'STRATA_INVALID_ASSET', message: /versionInputs\.f is function/ })
    assert.throws(() => asset({ key: 'a', versionInputs: { n: { x: NaN } }, compute: () => 1 }), { code: 'STRATA_INVALID_ASSET', message: /versionInputs\.n\.x is NaN/ })
    assert.throws(() => asset({ key: 'a', versionInputs: [1] as never, compute: () => 1 }), { code: 'STRATA_INVALID_ASSET', message: /must be an object of named values/ })
    const loop: Record<string, unknown> = {}
    loop.self = loop
    assert.throws(() => asset({ key: 'a', versionInputs: { loop }, compute: () => 1 }), { code: 'STRATA_INVALID_ASSET', message: /refers to itself/ })
    assert.throws(() => asset({ key: 'a', codeVersion: 'v1', versionInputs: { x: 1 }, compute: () => 1 }), { code: 'STRATA_INVALID_ASSET', message: /codeVersion pins the whole version/ })
  })
})
