import { StrataError } from '../../../assets/index.js'
import { GLOBAL_HELP, parseCommandArgs } from '../args.js'
import { escapeForTerminal, printJson } from '../output.js'
import { didYouMean } from '../suggest.js'
import { withWorkspace } from '../workspace.js'

export const help = `strata partitions — keys of dynamic partitions (dynamicPartitions(NAME))

  strata partitions add NAME KEY...      add keys (existing ones are ignored)
  strata partitions delete NAME KEY...   remove keys
  strata partitions list [NAME]          show keys

Options:
${GLOBAL_HELP}

JSON: schemas/partitions-list.schema.json; add and delete: schemas/partitions-change.schema.json.`

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('partitions', argv, {})
  const [sub, name, ...keys] = positionals
  if (sub !== 'add' && sub !== 'delete' && sub !== 'list') {
    const hint = sub === undefined ? '' : `Unknown subcommand "${sub}".${didYouMean(sub, ['add', 'delete', 'list'])} `
    throw new StrataError('STRATA_USAGE', `${hint}Use strata partitions add NAME KEY..., strata partitions delete NAME KEY... or strata partitions list [NAME].`)
  }
  return withWorkspace(values, async (ws) => {
    const declared = new Set(ws.defs.assets.flatMap((a) => (a.partitions?.kind === 'dynamic' ? [(a.partitions as unknown as { name: string }).name] : [])))
    if (sub === 'list') {
      const all = await ws.storage.getDynamicPartitions()
      if (name !== undefined && !declared.has(name) && all[name] === undefined) {
        const names = [...new Set([...declared, ...Object.keys(all)])]
        throw new StrataError('STRATA_USAGE', `No dynamic partitions named "${name}".${didYouMean(name, names)}${names.length ? ` Declared: ${names.join(', ')}.` : ' No asset uses dynamicPartitions().'}`)
      }
      const shown = name ? { [name]: all[name] ?? [] } : all
      if (values.json) printJson({ partitions: shown })
      else for (const [n, ks] of Object.entries(shown)) console.log(`${escapeForTerminal(n)} (${ks.length}): ${ks.map((k) => escapeForTerminal(k)).join(', ')}`)
      return 0
    }
    if (!name || keys.length === 0) throw new StrataError('STRATA_USAGE', `strata partitions ${sub} takes a name and at least one key.`)
    if (!declared.has(name)) {
      throw new StrataError('STRATA_USAGE', `No asset uses dynamicPartitions("${name}")${declared.size ? `; declared: ${[...declared].join(', ')}` : ''}.`)
    }
    const changed = sub === 'add' ? await ws.storage.addDynamicPartitions(name, keys, Date.now()) : await ws.storage.deleteDynamicPartitions(name, keys)
    if (values.json) printJson({ name, [sub === 'add' ? 'added' : 'deleted']: changed })
    else if (!values.quiet) console.log(`${sub === 'add' ? 'Added' : 'Deleted'} ${changed.length} key(s) ${sub === 'add' ? 'to' : 'from'} ${name}${changed.length < keys.length ? ` (${keys.length - changed.length} ${sub === 'add' ? 'already present' : 'not present'})` : ''}.`)
    return 0
  })
}
