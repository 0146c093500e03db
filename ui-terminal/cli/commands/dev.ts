import { dirname, relative } from 'node:path'
import { Writable } from 'node:stream'
import { DEFAULT_DEBOUNCE_MS, resolveDefsPath, resolveHome, resolveStorageUrl, startDevSession, type DevEvent, type DevSession } from '../../../engine/index.js'
import { loadTerminalUi } from '../../app/load.js'
import { DevLines } from '../../app/dev-feed.js'
import { DevModel } from '../../app/dev-model.js'
import { StrataError } from '../../../assets/errors.js'
import { GLOBAL_HELP, parseCommandArgs, positiveInt } from '../args.js'
import { color, errColor } from '../output.js'
import { codeChangeText, reloadedText, reloadErrorText, runCanceledText, runEndText, runStartText, staleText, watchingLines, type Level } from '../../dev-text.js'
import { devEventJson } from '../dev-json.js'
import { RunProgress } from '../progress.js'

export const help = `strata dev — watch mode: reload the definitions on every save and show what changed and what is stale

Watches the definitions file and the local modules it imports (transitively).
After each save (debounced) the definitions are loaded afresh in a disposable
worker; a file that does not load is reported and the last good definitions
stay in effect. Ctrl-C stops (a running run is canceled: running steps finish).

On an interactive terminal it shows the terminal UI of strata ui (asset list,
details, lineage, runs and their logs, read from storage) with a panel of the
session's events; q quits. Otherwise (or with --json) it prints log lines.

Options:
      --auto             re-materialize missing and stale assets after every good reload (and at start);
                         a newer save cancels the running run and plans again
      --debounce MS      quiet time after the last change before reloading (default ${DEFAULT_DEBOUNCE_MS})
      --concurrency N    steps at once in --auto runs (default: number of CPUs)
${GLOBAL_HELP.replace('machine-readable output', 'one JSON event per line (schemas/dev-event.schema.json)')}`

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('dev', argv, {
    auto: { type: 'boolean' },
    debounce: { type: 'string' },
    concurrency: { type: 'string' },
  })
  const debounceMs = values.debounce === undefined ? undefined : Number(values.debounce)
  if (debounceMs !== undefined && !(Number.isInteger(debounceMs) && debounceMs >= 0)) {
    throw new StrataError('STRATA_USAGE', `--debounce must be a whole number of milliseconds ≥ 0 (got "${values.debounce}").`)
  }
  const concurrency = positiveInt('concurrency', values.concurrency)
  // The session's isolates open their workspace from the environment: --storage reaches them (and wins over the definitions) this way.
  if (values.storage !== undefined) process.env.STRATA_STORAGE_URL = values.storage
  if (!values.json && process.stdin.isTTY && process.stdout.isTTY) {
    return runInTerminal({ defsPath: values.defs, home: values.home, auto: values.auto, debounceMs, concurrency })
  }
  const log = values.json ? (e: DevEvent) => process.stdout.write(JSON.stringify(devEventJson(e)) + '\n') : createLogPrinter()

  let session: DevSession | undefined
  let stopping: Promise<void> | undefined
  let stopped!: () => void
  const done = new Promise<void>((resolve) => (stopped = resolve))
  const stop = () => {
    if (stopping) {
      // A second Ctrl-C: do not wait for running steps.
      process.exit(130)
    }
    if (!values.json) process.stderr.write(errColor.yellow('\nStopping: a running run is canceled and its running steps finish. Ctrl-C again to quit at once.\n'))
    stopping = (session?.close() ?? Promise.resolve()).then(stopped)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  try {
    session = await startDevSession({ defsPath: values.defs, home: values.home, auto: values.auto, debounceMs, concurrency, onEvent: log })
    if (stopping) await session.close()
    await done
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
  return 0
}

/**
 * The Ink UI over the session: the main thread never imports the definitions
 * (the DevModel is fed by the session's events and by storage), so memory
 * stays flat across reloads as with the plain log.
 */
async function runInTerminal(opts: { defsPath?: string; home?: string; auto?: boolean; debounceMs?: number; concurrency?: number }): Promise<number> {
  const defsPath = resolveDefsPath(opts.defsPath)
  const home = resolveHome(defsPath, opts.home)
  const { createElement, render, DevApp } = await loadTerminalUi()
  const lines = new DevLines({ base: dirname(defsPath) })
  let session: DevSession | undefined
  const model = new DevModel({ home, storageUrl: resolveStorageUrl(), title: `${relative(process.cwd(), defsPath) || defsPath}  (strata dev${opts.auto ? ' --auto' : ''})`, reload: () => void session?.reload() })
  // What the user's code prints (in the session's workers) goes to the panel, not over the screen.
  let partial = ''
  const output = new Writable({
    write(chunk, _enc, done) {
      const text = partial + String(chunk)
      const parts = text.split('\n')
      partial = parts.pop() ?? ''
      for (const line of parts) if (line.trim()) lines.feed.output(line.replace(/\x1b\[[0-9;]*m/g, ''))
      done()
    },
  })
  const started = model.start()
  const out = process.stdout
  out.write('\x1b[?1049h\x1b[H\x1b[2J') // alternate screen: the shell's screen comes back on exit
  const instance = render(createElement(DevApp, { model, lines }), { exitOnCtrlC: false, patchConsole: true })
  const stop = () => instance.unmount()
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  try {
    session = await startDevSession({
      defsPath,
      home,
      auto: opts.auto,
      debounceMs: opts.debounceMs,
      concurrency: opts.concurrency,
      output,
      onEvent: (e) => {
        lines.feed.push(e)
        model.ingest(e)
      },
    })
    await instance.waitUntilExit()
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    out.write('\x1b[?1049l')
    instance.unmount()
  }
  process.stderr.write('Stopping strata dev: a running run is canceled and its running steps finish…\n')
  await session.close()
  await started
  await model.close()
  lines.close()
  return 0
}

const time = (ts: number) => {
  const d = new Date(ts)
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':')
}
const paint = ({ text, level }: { text: string; level: Level }) =>
  level === 'ok' ? color.green(text) : level === 'warn' ? color.yellow(text) : level === 'error' ? color.red(text) : text

/**
 * Plain, concise log lines with timestamps. A good reload, its code changes
 * and what is stale make one line when nothing comes between them.
 */
function createLogPrinter(out: NodeJS.WriteStream = process.stdout): (e: DevEvent) => void {
  let base = process.cwd()
  const name = (file: string) => {
    const rel = relative(base, file)
    return rel && !rel.startsWith('..') ? rel : file
  }
  const print = (ts: number, text: string) => out.write(`${color.dim(time(ts))} ${text}\n`)
  /** The reload line, held until its `stale` event arrives (or anything else does). */
  let held: { ts: number; parts: string[] } | undefined
  const flush = () => {
    if (held) print(held.ts, held.parts[0] + (held.parts.length > 1 ? ` — ${held.parts.slice(1).join('; ')}` : ''))
    held = undefined
  }
  let progress: RunProgress | undefined
  let progressTs = Date.now()
  // RunProgress in plain mode writes whole lines; prefix each with the time.
  const progressOut = {
    isTTY: false,
    columns: 120,
    write(text: string) {
      for (const line of text.split('\n')) if (line) print(progressTs, line)
      return true
    },
  } as unknown as NodeJS.WriteStream
  let lastReloadChanged: string[] = []

  return (e) => {
    if (e.type !== 'code-changed' && e.type !== 'stale') flush()
    switch (e.type) {
      case 'watching':
        for (const line of watchingLines(e, name)) print(e.ts, line)
        break
      case 'reload-start':
        lastReloadChanged = e.changed
        break
      case 'reload-ok':
        base = dirname(e.defsPath)
        held = { ts: e.ts, parts: [reloadedText(e, lastReloadChanged, name)] }
        break
      case 'code-changed':
        if (held) held.parts.push(codeChangeText(e))
        else print(e.ts, codeChangeText(e))
        break
      case 'stale': {
        const line = staleText(e)
        if (!line) break
        if (held) {
          held.parts.push(paint(line))
          flush()
        } else print(e.ts, paint(line))
        break
      }
      case 'reload-error':
        print(e.ts, color.red(reloadErrorText(e, name)))
        break
      case 'run-start':
        print(e.ts, runStartText(e))
        progress = new RunProgress(progressOut, false)
        break
      case 'run-event':
        progressTs = e.ts
        progress?.handle(e.event)
        break
      case 'run-canceled':
        print(e.ts, color.yellow(runCanceledText(e)))
        break
      case 'run-end':
        progress = undefined
        print(e.ts, paint(runEndText(e)))
        break
      case 'error':
        print(e.ts, `${color.red('error:')} ${e.message}`)
        break
    }
  }
}
