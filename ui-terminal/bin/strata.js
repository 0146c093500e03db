#!/usr/bin/env node
// The strata command. CommonJS (see the package.json beside it) for one
// reason: this file runs before libuv's threadpool starts, and only then can
// a process choose its size. An ES module entry is itself read through the
// threadpool, so by the time its first line runs the size is fixed at 4.
//
// The threadpool runs the durable flush of stored objects (one fsync per new
// object and per directory, see engine/io/object-stores/sync-batch.ts). With
// 4 threads, a backfill's batches of up to 64 objects queue behind each
// other; with 32 their fsyncs share the file system's journal commits
// (36,525 daily partitions: ~20% less time, `npm run bench -- growth`).
// A UV_THREADPOOL_SIZE set by the user wins.
'use strict'
process.env.UV_THREADPOOL_SIZE ??= '32'

// From a git checkout it runs the TypeScript sources, so nothing needs
// building: TypeScript support is registered before anything else is
// imported. The published package has no sources, only the compiled copy
// under dist/, which registers TypeScript support itself when it loads a
// TypeScript definitions file (so `strata --help` never pays for it).
// One copy per process: see engine/loader/layout.mjs.
const { existsSync } = require('node:fs')
const { join } = require('node:path')
const { pathToFileURL } = require('node:url')

const fromHere = (path) => pathToFileURL(join(__dirname, path)).href

async function main() {
  if (existsSync(join(__dirname, '../cli/main.ts'))) {
    const { registerTypeScript } = await import(fromHere('../../engine/loader/register.mjs'))
    registerTypeScript()
    await import(fromHere('../cli/main.ts'))
  } else {
    await import(fromHere('../../dist/ui-terminal/cli/main.js'))
  }
}

main().catch((err) => {
  // What an ES module entry does with an error its top level throws.
  console.error(err)
  process.exitCode = 1
})
