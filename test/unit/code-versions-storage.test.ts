// The components of recorded code versions: kept once per (asset, version), read back in one call.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { withStorage } from '../storage/helpers.js'

test('code versions: the first record of an (asset, version) is kept; unknown pairs are left out', () =>
  withStorage(async (s) => {
    await s.recordCodeVersions([
      { assetKey: 'b', codeVersion: 'v1', components: { compute: 'c1', 'code:./lib.ts#factor': 'f1' } },
      { assetKey: 'b', codeVersion: 'v2', components: { compute: 'c1', 'code:./lib.ts#factor': 'f2' } },
      { assetKey: 'c', codeVersion: 'v1', components: { compute: 'c9' } },
    ])
    // A version is a hash of its components: recording it again changes nothing.
    await s.recordCodeVersions([{ assetKey: 'b', codeVersion: 'v1', components: { compute: 'other' } }])
    await s.recordCodeVersions([])
    const read = await s.getCodeVersions([
      { assetKey: 'b', codeVersion: 'v1' },
      { assetKey: 'b', codeVersion: 'v3' },
      { assetKey: 'c', codeVersion: 'v1' },
      { assetKey: 'x', codeVersion: 'v1' },
    ])
    assert.deepEqual(read, [
      { assetKey: 'b', codeVersion: 'v1', components: { compute: 'c1', 'code:./lib.ts#factor': 'f1' } },
      { assetKey: 'c', codeVersion: 'v1', components: { compute: 'c9' } },
    ])
    assert.deepEqual(await s.getCodeVersions([]), [])
  }))
