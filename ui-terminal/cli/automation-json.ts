/**
 * The --json shapes of `strata automation why` and `strata daemon`: every
 * documented field present, null where a value does not apply (never "" nor
 * a missing key). schemas/automation-why.schema.json, daemon-event.schema.json.
 */
import type { AutomationExplanation, DaemonEvent, PartitionLine } from '../../engine/index.js'

/** An unpartitioned asset's "partition" is null, not "". */
const partitionOrNull = (key: string): string | null => (key === '' ? null : key)

function linesJson(lines: readonly PartitionLine[]) {
  return lines.map((l) => ({ key: partitionOrNull(l.key), requested: l.requested, text: l.text }))
}

export function automationWhyJson(x: AutomationExplanation) {
  return {
    ...x,
    now: x.now ? { ...x.now, requested: x.now.requested.map(partitionOrNull), partitions: linesJson(x.now.partitions) } : null,
    evaluations: x.evaluations.map((e) => ({ ...e, partitions: linesJson(e.partitions) })),
  }
}

export function daemonEventJson(e: DaemonEvent): Record<string, unknown> {
  switch (e.type) {
    case 'started':
      return { ...e, replaced: e.replaced ?? null }
    case 'tick':
      return { ...e, sourceName: e.sourceName === '' ? null : e.sourceName, message: e.message ?? null }
    case 'launch':
      return { ...e, partitionKeys: e.partitionKeys ?? null }
    case 'reload':
      return e.ok ? { ...e, error: null, code: null } : { ...e, schedules: null, sensors: null, conditions: null, code: e.code ?? null }
    default:
      return { ...e }
  }
}
