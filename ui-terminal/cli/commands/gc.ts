import { StrataError } from '../../../assets/index.js'
import { dirname } from 'node:path'
import { collectHomeGarbage, DEFAULT_GC_GRACE_MS, loadDefinitions, resolveCommandStorageUrl, resolveDefsPath, resolveHome, resolveObjectsSpec } from '../../../engine/index.js'
import { GLOBAL_HELP, parseCommandArgs } from '../args.js'
import { color, formatBytes, printJson } from '../output.js'

export const help = `strata gc — delete stored objects nothing refers to, and temporary files of killed runs

An object is deleted when no materialization (of any age: history stays
traceable) and no registered model refers to it, and it is older than the grace
period and than every running run. Temporary files are deleted once the process
that wrote them is gone. The definitions file locates the home (.strata/
beside it) when neither --home nor $STRATA_HOME is set, and names the storage
and object store when no option or variable does; definitions that fail to
load do not stop the cleanup.

Options:
      --grace HOURS   keep unreferenced objects younger than this (default ${DEFAULT_GC_GRACE_MS / 3_600_000})
      --dry-run       report what would be deleted; delete nothing
${GLOBAL_HELP}

JSON: { "removed": { "objects": N, "temps": N }, "bytesFreed": N, "dryRun": bool } (schemas/gc.schema.json)`

function graceHours(text: string | undefined): number {
  if (text === undefined) return DEFAULT_GC_GRACE_MS / 3_600_000
  const hours = Number(text)
  if (text.trim() === '' || !Number.isFinite(hours) || hours < 0) {
    throw new StrataError('STRATA_USAGE', `--grace takes a number of hours ≥ 0 (got "${text}"), e.g. strata gc --grace 48.`)
  }
  return hours
}

function definitionsIfAny(file: string | undefined): string | undefined {
  try {
    return resolveDefsPath(file)
  } catch {
    return undefined
  }
}

/** The definitions' `objects`, when they name a store and load; broken definitions must not block cleaning up the home. */
async function definitionsObjects(defsPath: string, home: string): Promise<string | undefined> {
  try {
    const defs = await loadDefinitions(defsPath)
    return defs.objects === undefined ? undefined : resolveObjectsSpec({ env: '', definitions: defs.objects, definitionsDir: dirname(defsPath), home })
  } catch {
    return undefined
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('gc', argv, { grace: { type: 'string' }, 'dry-run': { type: 'boolean' } })
  if (positionals.length > 0) throw new StrataError('STRATA_USAGE', `strata gc takes no arguments (got "${positionals[0]}"). See strata gc --help.`)
  const hours = graceHours(values.grace)
  const home = values.home || process.env.STRATA_HOME ? resolveHome('', values.home) : resolveHome(resolveDefsPath(values.defs))
  const dryRun = values['dry-run'] === true
  // Definitions that fail to load must not block cleaning up: then only --storage or $STRATA_STORAGE_URL name a storage other than the home's.
  // With --home, the definitions file is optional: a home is collected even where no definitions are.
  const defsPath = definitionsIfAny(values.defs)
  const storage = await resolveCommandStorageUrl({ flag: values.storage, defsPath, tolerateBrokenDefinitions: true })
  const objectsSpec = values.objects ?? (process.env.STRATA_OBJECTS || (defsPath ? await definitionsObjects(defsPath, home) : undefined))
  const result = await collectHomeGarbage(home, { graceMs: hours * 3_600_000, dryRun, objects: objectsSpec, storage })
  if (values.json) {
    printJson(result)
    return 0
  }
  if (values.quiet) return 0
  const { objects, temps } = result.removed
  const verb = dryRun ? 'Would remove' : 'Removed'
  if (objects + temps === 0) console.log(`Nothing to remove in ${home}.`)
  else console.log(`${verb} ${objects} unreferenced object(s) and ${temps} temporary file(s): ${formatBytes(result.bytesFreed)}${dryRun ? '' : ' freed'}.`)
  if (dryRun && objects + temps > 0) console.log(color.dim('Run without --dry-run to delete them.'))
  return 0
}
