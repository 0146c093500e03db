// A test reporter that writes, per test file, how long its process ran, as
// one JSON line per file. run-tests.js prints the slowest files at the end of
// a run and can record the times, so that the next run starts the longest
// files first.
export default async function* fileTimes(source) {
  for await (const event of source) {
    // The file-level test is the one named after its own file (each file runs in a process of its own).
    if (event.type === 'test:complete' && event.data.nesting === 0 && event.data.name === event.data.file) {
      yield `${JSON.stringify({ file: event.data.file, ms: event.data.details?.duration_ms ?? 0 })}\n`
    }
  }
}
