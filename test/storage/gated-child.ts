import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** A fixture process that prints `ready` once set up and starts its work when told `go`, so several start at the same instant. */
export interface GatedChild {
  ready: Promise<void>
  go: () => void
  done: Promise<{ code: number | null; stderr: string }>
}

/** Runs the TypeScript `script` with `args` from the repository root; `label` names it if it dies before it is ready. */
export function startGatedChild(script: string, args: readonly string[], label: string): GatedChild {
  const child = spawn(process.execPath, ['--import', './engine/loader/auto.mjs', script, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk.toString()))
  const ready = new Promise<void>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk.toString()
      if (out.includes('ready\n')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`${label} exited (${code}) before it was ready: ${stderr}`)))
  })
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('close', (code) => resolve({ code, stderr })))
  return { ready, go: () => child.stdin.end('go\n'), done }
}
