import { StrataError } from '../../../assets/index.js'
import { doctorHome, resolveCommandStorageUrl, resolveDefsPath, resolveHome, type DoctorReport } from '../../../engine/index.js'
import { GLOBAL_HELP, parseCommandArgs } from '../args.js'
import { color, escapeForTerminal, formatBytes, printJson } from '../output.js'

export const help = `strata doctor — check a home: the database, the stored values, leftover files

Checks the database (SQLite integrity_check), that the stored object of every
latest materialization is there and still hashes to its name, and looks for
temporary files of writers that are gone. Then repairs what it safely can and
says what it did:
  - removes those temporary files (nothing refers to them);
  - records each damaged object's assets as STALE ("stored object … is
    corrupt"), so that strata materialize --stale rebuilds them. The damaged
    file is left in place; the rebuild rewrites it.
A damaged database is reported, never changed: restore strata.db from a backup.
The definitions file is not loaded; it only locates the home (.strata/ beside
it) when neither --home nor $STRATA_HOME is set.

Options:
      --dry-run       check and report only; change nothing
${GLOBAL_HELP}

Exit codes: 0 healthy (after the repairs); 1 a problem remains: a damaged
database, or damaged values waiting for strata materialize --stale (with
--dry-run, also stray files not yet removed).

JSON: { "home", "dryRun", "database": { "description", "problems" },
  "objects": { "checked", "bytes", "corrupt": [{ "location", "problem", "assets", "markedStale" }], "cleared" },
  "temps": { "stray", "removed", "bytes" }, "healthy" } (schemas/doctor.schema.json)`

const MAX_ASSETS_SHOWN = 3

function assetsText(assets: readonly string[]): string {
  const shown = assets.slice(0, MAX_ASSETS_SHOWN).map((a) => escapeForTerminal(a)).join(', ')
  return assets.length > MAX_ASSETS_SHOWN ? `${shown} and ${assets.length - MAX_ASSETS_SHOWN} more` : shown
}

function printReport(r: DoctorReport): void {
  const ok = color.green('ok')
  console.log(`Checked ${r.home}${r.dryRun ? color.dim(' (dry run: nothing changed)') : ''}`)
  if (r.database.problems.length === 0) console.log(`  database   ${ok} (${r.database.description})`)
  else {
    console.log(`  database   ${color.red(`${r.database.problems.length} problem(s)`)} in ${r.database.description}:`)
    for (const p of r.database.problems.slice(0, 10)) console.log(`    ${escapeForTerminal(p)}`)
  }
  const corrupt = r.objects.corrupt.length
  console.log(`  objects    ${r.objects.checked} checked (${formatBytes(r.objects.bytes)} sound)${corrupt ? `: ${color.red(`${corrupt} damaged`)}` : `, ${ok}`}`)
  for (const c of r.objects.corrupt) {
    const state = c.markedStale ? 'marked stale' : 'would be marked stale'
    console.log(`    ${color.red('✗')} ${c.location} (${assetsText(c.assets)}): ${escapeForTerminal(c.problem)} — ${state}`)
  }
  if (r.objects.cleared) console.log(`    ${r.objects.cleared} earlier damage record(s) cleared: those objects are sound again`)
  if (r.temps.stray === 0) console.log(`  temp files none stray`)
  else if (r.dryRun) console.log(`  temp files ${r.temps.stray} stray (${formatBytes(r.temps.bytes)}), would be removed`)
  else console.log(`  temp files ${r.temps.removed} stray removed (${formatBytes(r.temps.bytes)})`)
  if (r.healthy) {
    console.log(color.green('Healthy.'))
    return
  }
  const todo: string[] = []
  if (corrupt) todo.push(`rebuild the damaged values with strata materialize --stale`)
  if (r.database.problems.length) todo.push('restore strata.db from a backup (or move the home aside and rebuild)')
  if (r.dryRun && r.temps.stray) todo.push('run without --dry-run to remove the stray files')
  console.log(`Problems remain: ${todo.join('; ')}.`)
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('doctor', argv, { 'dry-run': { type: 'boolean' } })
  if (positionals.length > 0) throw new StrataError('STRATA_USAGE', `strata doctor takes no arguments (got "${positionals[0]}"). See strata doctor --help.`)
  const home = values.home || process.env.STRATA_HOME ? resolveHome('', values.home) : resolveHome(resolveDefsPath(values.defs))
  // As for gc: definitions that fail to load must not block checking the home.
  const storage = await resolveCommandStorageUrl({ flag: values.storage, defsPath: resolveDefsPath(values.defs), tolerateBrokenDefinitions: true })
  const report = await doctorHome(home, { dryRun: values['dry-run'] === true, objects: values.objects, storage })
  if (values.json) printJson(report)
  else if (!values.quiet) printReport(report)
  return report.healthy ? 0 : 1
}
