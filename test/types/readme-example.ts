// README "A short example", verbatim: compiled by `npm run typecheck`;
// readme-snippets.test.ts checks it is still what the README shows.
// definitions.ts
import { asset, defineDefinitions, output } from 'strata-engine'

export const a = asset({ key: 'raw/a', group: 'raw', compute: () => [1, 2, 3] })
export const b = asset({
  key: 'b',
  ins: { a },                                        // loaded and passed in, typed
  retry: { maxRetries: 2, delayMs: 500, backoff: 'exponential' },
  compute: (ctx, { a }) => {
    ctx.log.info(`doubling ${a.length} values`)       // stored with the run
    return output(a.map((x) => x * 2), { metadata: { rows: a.length } })
  },
})
export default defineDefinitions({ assets: [a, b] })
