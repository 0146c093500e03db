// npm run bench [-- NAME...]: prints figures; nothing here asserts timings.
const suites: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  core: () => import('./core.js'),
  'partition-keys': () => import('./partition-keys.js'),
  partitions: () => import('./partitions.js'),
  growth: () => import('./growth.js'),
  watch: () => import('./watch.js'),
  flights: () => import('./flights.js'),
  io: () => import('./io.js'),
  ui: () => import('./ui.js'),
  serve: () => import('./serve.js'),
  startup: () => import('./startup.js'),
  leftovers: () => import('./leftovers.js'),
  failures: () => import('./failures.js'),
  'key-upgrade': () => import('./key-upgrade.js'),
  'code-versions': () => import('./code-versions.js'),
  'warm-pool': () => import('./warm-pool.js'),
  cron: () => import('./cron.js'),
  package: () => import('./package.js'),
  automation: () => import('./automation.js'),
  queue: () => import('./queue.js'),
  durability: () => import('./durability.js'),
  registry: () => import('./registry.js'),
  postgres: () => import('./postgres.js'),
  'object-stores': () => import('./object-stores.js'),
  claims: () => import('./claims.js'),
}
const wanted = process.argv.slice(2)
for (const [name, load] of Object.entries(suites)) {
  if (wanted.length && !wanted.includes(name)) continue
  const t = performance.now()
  try {
    await (await load()).run()
  } catch (err) {
    console.error(`bench ${name} failed: ${(err as Error).stack}`)
    process.exitCode = 1
  }
  console.log(`(${name}: ${((performance.now() - t) / 1000).toFixed(1)} s)\n`)
}
