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
