import { parseArgs, type ParseArgsConfig } from 'node:util'
import { StrataError } from '../../assets/index.js'
import { chooseConcurrency, describeCap } from '../../engine/index.js'
import { closest } from './suggest.js'

type Options = NonNullable<ParseArgsConfig['options']>

export const GLOBAL_OPTIONS = {
  defs: { type: 'string', short: 'f' },
  home: { type: 'string' },
  storage: { type: 'string' },
  objects: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options

export const GLOBAL_HELP = `  -f, --defs FILE   definitions file (default ./definitions.ts; its default export)
      --home DIR    state directory (default $STRATA_HOME, else .strata/ beside the definitions)
      --storage URL where runs, events and materializations are recorded: sqlite (strata.db in
                    the home) or postgres://user@host:5432/db?schema=NAME, shared by several
                    processes and hosts (default $STRATA_STORAGE_URL, else the definitions' storage)
      --objects URL where stored values live: a directory (e.g. a shared volume) or
                    postgres://user@host:5432/db?schema=NAME (default $STRATA_OBJECTS, else the home)
      --json        machine-readable output (errors too: {"error": {"code", "message"}} on stderr)
  -q, --quiet       no progress and no summary on success: only errors and the requested JSON
  -h, --help        this help`

export interface Parsed<V> {
  values: V & { defs?: string; home?: string; storage?: string; objects?: string; json?: boolean; quiet?: boolean; help?: boolean }
  positionals: string[]
}

/** `--concurrency -1` → `--concurrency=-1`: a negative number is a value to check, not an unknown option. */
function joinNegativeValues(argv: readonly string[], options: Options): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const next = argv[i + 1]
    if (arg.startsWith('--') && options[arg.slice(2)]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`)
      i++
    } else out.push(arg)
  }
  return out
}

export function parseCommandArgs<O extends Options>(command: string, argv: string[], options: O): Parsed<Record<keyof O, any>> {
  try {
    const { values, positionals } = parseArgs({ args: joinNegativeValues(argv, options), options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true })
    return { values: values as unknown as Parsed<Record<keyof O, any>>["values"], positionals }
  } catch (err) {
    const message = (err as Error).message.replace(/\. To specify a positional.*$/s, '')
    const unknown = /^Unknown option '(--[^'=]+)'/.exec(message)?.[1]
    if (unknown) {
      const names = Object.keys({ ...GLOBAL_OPTIONS, ...options }).map((n) => `--${n}`)
      const near = closest(unknown, names)
      throw new StrataError('STRATA_USAGE', `strata ${command}: unknown option "${unknown}".${near ? ` Did you mean ${near}?` : ''} See strata ${command} --help.`)
    }
    throw new StrataError('STRATA_USAGE', `strata ${command}: ${message}. See strata ${command} --help.`)
  }
}

export function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new StrataError('STRATA_USAGE', `--${name} must be a whole number ≥ 1 (got "${value}").`)
  return n
}

/** `--concurrency N`: a whole number ≥ 1, capped at 4 × CPUs with a one-line notice on stderr (not with --quiet). */
export function concurrencyArg(value: string | undefined, quiet = false): number | undefined {
  const requested = positiveInt('concurrency', value)
  if (requested === undefined) return undefined
  const choice = chooseConcurrency(requested, requested)
  if (choice.capped && !quiet) process.stderr.write(`strata: ${describeCap(requested, choice)}\n`)
  return choice.concurrency
}

/** A duration in seconds (`--grace 2.5`), as milliseconds; 0 is allowed. */
export function seconds(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new StrataError('STRATA_USAGE', `--${name} must be a number of seconds ≥ 0 (got "${value}").`)
  return Math.round(n * 1000)
}

const VALUE_FLAGS = new Set(['-f', '--defs', '--home', '--storage', '--objects'])
const BARE_FLAGS = new Set(['--json', '-q', '--quiet', '-h', '--help'])

/**
 * `strata --json list` and `strata -f x.ts list`: global options written
 * before the command are moved after it, so every command parses them as its
 * own. Returns the arguments starting with the command (or [] when only
 * options were given); anything else before the command is a usage error.
 */
export function moveGlobalOptionsAfterCommand(argv: readonly string[]): string[] {
  const leading: string[] = []
  let i = 0
  while (i < argv.length && argv[i]!.startsWith('-') && argv[i] !== '-') {
    const arg = argv[i]!
    const name = arg.startsWith('--') ? arg.split('=')[0]! : arg.slice(0, 2)
    if (BARE_FLAGS.has(arg)) {
      leading.push(arg)
      i += 1
    } else if (VALUE_FLAGS.has(arg)) {
      if (i + 1 >= argv.length) throw new StrataError('STRATA_USAGE', `strata: option ${arg} needs a value, e.g. strata ${arg} ${arg === '--home' ? '.strata' : 'definitions.ts'} list.`)
      leading.push(arg, argv[i + 1]!)
      i += 2
    } else if (VALUE_FLAGS.has(name) && arg.length > name.length) {
      // --home=DIR, --defs=FILE, -fFILE
      leading.push(arg)
      i += 1
    } else {
      const near = arg.startsWith('--') ? closest(name, ['--defs', '--home', '--json', '--quiet', '--help']) : undefined
      throw new StrataError(
        'STRATA_USAGE',
        `strata: unknown option "${arg}" before the command.${near ? ` Did you mean ${near}?` : ''} Global options are -f/--defs FILE, --home DIR, --json and -q/--quiet; see strata --help.`,
      )
    }
  }
  if (i >= argv.length) return leading.includes('-h') || leading.includes('--help') ? ['--help'] : []
  const [command, ...rest] = argv.slice(i)
  // Before a `--` terminator, so they stay options.
  const end = rest.indexOf('--')
  return end === -1 ? [command!, ...rest, ...leading] : [command!, ...rest.slice(0, end), ...leading, ...rest.slice(end)]
}

/** Whether --json was given (before a `--` terminator): errors are then printed as JSON too. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--')
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json')
}
