// The sucrase options TypeScript files are compiled with, in one place: the
// module hooks compile with them, and code versions (engine/versioning)
// compile with them when a file is not in the cache, so that the function
// texts they look for are exactly the ones that run.
export function compileOptions(path) {
  return {
    transforms: path.endsWith('.tsx') ? ['typescript', 'jsx'] : ['typescript'],
    jsxRuntime: 'automatic',
    production: true,
    disableESTransforms: true,
    filePath: path,
    sourceMapOptions: { compiledFilename: path },
  }
}
