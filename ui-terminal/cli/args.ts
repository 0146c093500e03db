import { parseArgs, type ParseArgsConfig } from 'node:util'
import { StrataError } from '../../assets/errors.js'

type Options = NonNullable<ParseArgsConfig['options']>

export const GLOBAL_OPTIONS = {
  defs: { type: 'string', short: 'f' },
  home: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options

export const GLOBAL_HELP = `  -f, --defs FILE   definitions file (default ./definitions.ts; its default export)
      --home DIR    state directory (default $STRATA_HOME, else .strata/ beside the definitions)
      --json        machine-readable output
  -h, --help        this help`

export interface Parsed<V> {
  values: V & { defs?: string; home?: string; json?: boolean; help?: boolean }
  positionals: string[]
}

export function parseCommandArgs<O extends Options>(command: string, argv: string[], options: O): Parsed<Record<keyof O, any>> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true })
    return { values: values as unknown as Parsed<Record<keyof O, any>>["values"], positionals }
  } catch (err) {
    throw new StrataError('STRATA_USAGE', `strata ${command}: ${(err as Error).message.replace(/\. To specify a positional.*$/s, '')}. See strata ${command} --help.`)
  }
}

export function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new StrataError('STRATA_USAGE', `--${name} must be a whole number ≥ 1 (got "${value}").`)
  return n
}

const VALUE_FLAGS = new Set(['-f', '--defs', '--home'])
const BARE_FLAGS = new Set(['--json', '-h', '--help'])

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
      throw new StrataError('STRATA_USAGE', `strata: unknown option "${arg}" before the command. Global options are -f/--defs FILE, --home DIR and --json; see strata --help.`)
    }
  }
  if (i >= argv.length) return leading.includes('-h') || leading.includes('--help') ? ['--help'] : []
  const [command, ...rest] = argv.slice(i)
  // Before a `--` terminator, so they stay options.
  const end = rest.indexOf('--')
  return end === -1 ? [command!, ...rest, ...leading] : [command!, ...rest.slice(0, end), ...leading, ...rest.slice(end)]
}
