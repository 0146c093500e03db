// Types for compile-options.mjs (plain JavaScript: the module hooks thread imports it).
export function compileOptions(path: string): {
  transforms: Array<'typescript' | 'jsx'>
  jsxRuntime: 'automatic'
  production: boolean
  disableESTransforms: boolean
  filePath: string
  sourceMapOptions: { compiledFilename: string }
}
