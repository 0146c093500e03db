/** Writes a generated definitions file: `layers` layers of `width` trivial assets, each reading 2 assets of the previous layer. */
export function layeredDefinitions(opts: { width: number; layers: number; strataImport?: string; computeBody?: string }): string {
  const { width, layers } = opts
  const body = opts.computeBody ?? 'return (inputs.x ?? 0) + (inputs.y ?? 0) + 1'
  const lines = [
    `import { asset, defineDefinitions } from '${opts.strataImport ?? 'strata-engine'}'`,
    `const compute = (_ctx: unknown, inputs: Record<string, number>) => { ${body} }`,
    'const assets: any[] = []',
    `const W = ${width}, L = ${layers}`,
    'for (let l = 0; l < L; l++) {',
    '  for (let i = 0; i < W; i++) {',
    '    const ins = l === 0 ? {} : { x: assets[(l - 1) * W + i], y: assets[(l - 1) * W + ((i + 1) % W)] }',
    "    assets.push(asset({ key: `l${l}/a${i}`, group: `layer${l}`, ins, compute: compute as any, codeVersion: 'v1' }))",
    '  }',
    '}',
    'export default defineDefinitions({ assets })',
  ]
  return lines.join('\n') + '\n'
}
