// Runs inside a daemon's definitions worker (see isolate.ts): loads the
// definitions and the workspace, and runs the automation engine on them.
// Replaced by a fresh worker when the definitions change; ESM modules are
// never unloaded, so a new version needs a new thread.
import { parentPort, workerData } from 'node:worker_threads'
import { openWorkspace, type Workspace } from '../workspace.js'
import { manualClock } from './clock.js'
import type { DaemonIsolateData, DaemonReply, DaemonRequest, LoadInfo } from './isolate-protocol.js'
import { AutomationEngine } from './tick.js'

const port = parentPort!
const data = workerData as DaemonIsolateData
const clock = manualClock(0)
let ws: Workspace | undefined
let engine: AutomationEngine | undefined

const send = (r: DaemonReply) => port.postMessage(r)

function loaded(): AutomationEngine {
  if (!engine) throw new Error('The definitions are not loaded in this worker.')
  return engine
}

async function handle(req: DaemonRequest): Promise<unknown> {
  switch (req.op) {
    case 'load': {
      clock.set(req.now)
      ws = await openWorkspace({ defsFile: data.defsPath, home: data.home, storage: data.storage ?? 'sqlite', objects: data.objects })
      engine = new AutomationEngine({ ws, clock, intervalMs: data.intervalMs, onEvent: (event) => send({ event }) })
      await engine.start({ recover: req.recover })
      const s = engine.sources
      const info: LoadInfo = {
        conditions: s.conditions.size,
        schedules: s.schedules.length,
        sensors: s.sensors.length,
        maxConcurrentRuns: s.settings.maxConcurrentRuns,
        sensorIntervalsMs: s.sensors.map((x) => x.intervalSeconds * 1000),
      }
      return info
    }
    case 'tick':
      clock.set(req.now)
      return loaded().tick({ conditions: req.conditions })
    case 'settle':
      clock.set(req.now)
      return loaded().settle()
    case 'drain':
      return engine?.close()
    case 'close':
      await engine?.close()
      await ws?.close()
      ws = undefined
      engine = undefined
      return undefined
  }
}

port.on('message', (req: DaemonRequest) => {
  handle(req).then(
    (value) => send({ id: req.id, ok: true, value }),
    (err: unknown) => {
      const e = err as { message?: unknown; code?: unknown; stack?: unknown; details?: { stack?: unknown } }
      send({
        id: req.id,
        ok: false,
        error: {
          message: typeof e?.message === 'string' ? e.message : String(err),
          code: typeof e?.code === 'string' ? e.code : undefined,
          stack: typeof e?.details?.stack === 'string' ? e.details.stack : typeof e?.stack === 'string' ? e.stack : undefined,
        },
      })
    },
  )
})
