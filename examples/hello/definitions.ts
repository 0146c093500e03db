import { asset, defineDefinitions, output } from 'strata-engine'

/** A tiny pipeline: numbers → squares → summary, with a side branch. */
export const numbers = asset({
  key: 'raw/numbers',
  group: 'raw',
  description: 'The integers 1..10',
  compute: (ctx) => {
    ctx.log.info('generating numbers')
    return Array.from({ length: 10 }, (_, i) => i + 1)
  },
})

export const squares = asset({
  key: 'derived/squares',
  group: 'derived',
  ins: { numbers },
  compute: (_ctx, { numbers }) => numbers.map((n) => n * n),
})

export const evens = asset({
  key: 'derived/evens',
  group: 'derived',
  ins: { numbers },
  compute: (_ctx, { numbers }) => numbers.filter((n) => n % 2 === 0),
})

export const summary = asset({
  key: 'summary',
  group: 'report',
  ins: { squares, evens },
  compute: (ctx, { squares, evens }) => {
    const total = squares.reduce((a, b) => a + b, 0)
    ctx.log.info(`sum of squares: ${total}`)
    return output({ sumOfSquares: total, evenCount: evens.length }, { metadata: { rows: squares.length } })
  },
})

export default defineDefinitions({ assets: [numbers, squares, evens, summary] })
