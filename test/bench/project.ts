import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = join(REPO, 'ui-terminal/bin/strata.js')

/** A throwaway project that imports 'strata-engine' like a user's would. */
export function makeProject(definitions: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-'))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }))
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(REPO, join(dir, 'node_modules', 'strata-engine'), 'dir')
  writeFileSync(join(dir, 'definitions.ts'), definitions)
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Runs the CLI and returns its wall time in ms; throws on a non-zero exit. */
export function timeCli(dir: string, args: string[]): { ms: number; stdout: string } {
  const t = performance.now()
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  const ms = performance.now() - t
  if (r.status !== 0) throw new Error(`strata ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return { ms, stdout: r.stdout }
}

export function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`
}
