/**
 * What `strata init` writes into a new project. The definitions run as they
 * are, with no network or data file, so the first `strata materialize` works
 * before anything is edited; test/cli/init.test.ts materializes and
 * type-checks them.
 */

export const DEFINITIONS_FILE = 'definitions.ts'

export const DEFINITIONS_TS = `/**
 * Your Strata definitions: the assets this project produces and what each one
 * reads. \`npx strata materialize --stale\` builds what is missing or stale,
 * \`npx strata list\` says what and why, \`npx strata ui\` browses it all.
 *
 * The readings are generated from the date, so this file runs as it is: replace
 * readingsFor() with your own source (a file, an API, a query). Local imports
 * take a .js extension: import { parse } from './parse.js' for parse.ts.
 */
import { allMapping, asset, check, dailyPartitions, defineDefinitions, output } from 'strata-engine'

interface Reading {
  hour: number
  celsius: number
}

/** One partition per day of the first week of 2024, in UTC; \`end\` is exclusive. */
const days = dailyPartitions({ start: '2024-01-01', end: '2024-01-08' })

/** A day's hourly temperatures: the same numbers for the same day, every time. */
function readingsFor(day: string): Reading[] {
  const seed = Number(day.replaceAll('-', ''))
  return Array.from({ length: 24 }, (_, hour) => {
    const daily = 6 * Math.sin(((hour - 9) / 24) * 2 * Math.PI)
    const noise = ((seed * 31 + hour * 17 + (seed % 97) * hour) % 41) / 10 - 2
    return { hour, celsius: Math.round((8 + (seed % 7) - 3 + daily + noise) * 10) / 10 }
  })
}

export const readings = asset({
  key: 'raw/readings',
  group: 'raw',
  description: 'Hourly temperatures, one partition per day',
  partitions: days,
  compute: (ctx) => {
    const rows = readingsFor(ctx.partitionKey!)
    ctx.log.info(\`\${rows.length} readings for \${ctx.partitionKey}\`)
    // Metadata is stored with the materialization but is not part of its data version.
    return output(rows, { metadata: { rows: rows.length } })
  },
  // Runs before the value is stored: a failing check fails the step and keeps the last good value.
  checks: [
    check({
      name: 'plausible',
      fn: (_ctx, rows: Reading[]) => {
        const outside = rows.filter((r) => r.celsius < -60 || r.celsius > 60).length
        return { passed: rows.length === 24 && outside === 0, message: \`\${rows.length} hours, \${outside} outside -60..60 °C\` }
      },
    }),
  ],
})

export const dailyStats = asset({
  key: 'daily_stats',
  group: 'reports',
  description: 'Minimum, mean and maximum of each day',
  partitions: days,
  ins: { readings }, // the same day's readings
  compute: (_ctx, { readings }) => {
    const celsius = readings.map((r) => r.celsius)
    const mean = celsius.reduce((a, b) => a + b, 0) / celsius.length
    return { min: Math.min(...celsius), mean: Math.round(mean * 10) / 10, max: Math.max(...celsius) }
  },
})

export const weeklyReport = asset({
  key: 'weekly_report',
  group: 'reports',
  description: 'Every day of the week and the warmest one',
  ins: { days: { asset: dailyStats, mapping: allMapping() } }, // a Map: day → its stats, in day order
  compute: (_ctx, { days }) => {
    let warmest = ''
    for (const [day, stats] of days) if (!warmest || stats.max > days.get(warmest)!.max) warmest = day
    return { days: Object.fromEntries(days), warmest }
  },
})

export default defineDefinitions({ assets: [readings, dailyStats, weeklyReport] })
`

/** Strict, and NodeNext: the module rules Node applies to the definitions at run time. */
export const TSCONFIG_JSON = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      skipLibCheck: true,
    },
  },
  null,
  2,
)}\n`

/** package.json scripts `strata init` adds: `npm run materialize`, `npm run ui`, `npm run strata -- why KEY`. */
export const SCRIPTS: Readonly<Record<string, string>> = {
  strata: 'strata',
  materialize: 'strata materialize --stale',
  ui: 'strata ui',
}

/** A folder is ignored by any of these .gitignore lines. */
export const STRATA_IGNORE_LINES = ['.strata', '.strata/', '/.strata', '/.strata/', '.strata/*', '/.strata/*', '**/.strata', '**/.strata/']
