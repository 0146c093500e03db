import { createInterface } from 'node:readline/promises'
import { relative } from 'node:path'
import { StrataError } from '../../../assets/errors.js'
import { parseCommandArgs } from '../args.js'
import type { Conflict } from '../init/package-json.js'
import { initProject, type FileResult, type InitReport } from '../init/scaffold.js'
import { SCRIPTS } from '../init/templates.js'
import { color, escapeForTerminal, printJson, table } from '../output.js'

export const help = `strata init [DIR] — set up a folder as a Strata project (default: this folder; created if missing)

Writes what is missing, never overwrites:
  definitions.ts   a small pipeline that runs as it is: daily-partitioned readings with
                   a check, their daily stats, a weekly report
  tsconfig.json    strict, NodeNext (only if there is none)
  package.json     "type": "module" and the scripts ${Object.keys(SCRIPTS).join(', ')} (created if missing)
  .gitignore       a .strata/ line (the state folder)
Then prints the next commands. A second run changes nothing.

A package.json field already set to something else (e.g. "type": "commonjs") is
changed only if you agree: on a terminal you are asked; otherwise it is left as it
is and reported, and --yes changes it.

Options:
  -y, --yes    change conflicting package.json fields without asking
      --json   print what was written and skipped, as JSON (never asks)
  -h, --help   this help

JSON: { "dir", "createdDir", "changed", "files": [ { "file", "action": "created"|"updated"|"appended"|"unchanged", "changes" } ],
        "skipped": [ { "file", "field", "current", "wanted", "why", "apply" } ], "next": [ commands ] }`

const DETAILS: Record<string, string> = {
  'definitions.ts': 'raw/readings (daily partitions, a check) → daily_stats → weekly_report',
  'tsconfig.json': 'strict, NodeNext',
}

const show = (value: unknown) => escapeForTerminal(JSON.stringify(value))

function describe(f: FileResult): string {
  if (f.action === 'unchanged') return f.file === 'definitions.ts' || f.file === 'tsconfig.json' ? 'exists: kept as it is' : 'already set up'
  if (f.file === 'package.json') return f.changes.join(', ')
  if (f.file === '.gitignore') return f.changes.join(', ')
  return DETAILS[f.file] ?? ''
}

/** On a terminal, one question per conflicting field; the default is to keep it. */
async function askEach(): Promise<{ decide: (c: Conflict) => Promise<boolean>; close: () => void }> {
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  return {
    decide: async (c) => {
      const answer = await rl.question(`package.json: ${c.field} is ${show(c.current)}; change it to ${show(c.wanted)}? (${c.why}) [y/N] `)
      return /^y(es)?$/i.test(answer.trim())
    },
    close: () => rl.close(),
  }
}

function print(report: InitReport): void {
  const where = escapeForTerminal(relative(process.cwd(), report.dir) || '.')
  if (!report.changed && report.skipped.length === 0) console.log(`Nothing to change in ${where}: definitions.ts, tsconfig.json, package.json and .gitignore are already set up.`)
  else if (!report.changed) console.log(`Nothing changed in ${where}: the rest is set up, but package.json still sets what is below otherwise.`)
  else {
    console.log(`Strata project in ${where}${report.createdDir ? ' (new folder)' : ''}:`)
    const rows = report.files.map((f) => [`  ${f.action === 'unchanged' ? 'kept' : f.action}`, f.file, color.dim(describe(f))])
    console.log(table(rows))
  }
  if (report.skipped.length > 0) {
    console.log(`\n${color.yellow('Skipped')} (package.json already sets these otherwise):`)
    for (const s of report.skipped) console.log(`  ${s.field} is ${show(s.current)}, Strata would set ${show(s.wanted)}: ${s.why}`)
    console.log(`To apply: ${report.skipped[0]!.apply} (or edit package.json yourself).`)
  }
  console.log(`\nNext:\n${report.next.map((c) => `  ${escapeForTerminal(c)}`).join('\n')}`)
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('init', argv, { yes: { type: 'boolean', short: 'y' } })
  if (values.defs !== undefined || values.home !== undefined) {
    throw new StrataError('STRATA_USAGE', 'strata init writes definitions.ts into DIR (default: this folder); -f/--defs and --home do not apply to it.')
  }
  if (positionals.length > 1) throw new StrataError('STRATA_USAGE', `strata init takes at most one folder (got ${positionals.length}: ${positionals.join(' ')}).`)
  const interactive = !values.yes && !values.json && process.stdin.isTTY === true && process.stdout.isTTY === true
  const prompt = interactive ? await askEach() : undefined
  let report: InitReport
  try {
    report = await initProject(positionals[0] ?? '.', { decide: async (c) => (values.yes ? true : prompt ? prompt.decide(c) : false) })
  } finally {
    prompt?.close()
  }
  if (values.json) printJson(report)
  else print(report)
  return 0
}
