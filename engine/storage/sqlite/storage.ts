/**
 * `SqliteStorage`: the `Storage` interface on one better-sqlite3 connection.
 * Statements are prepared once (in the table classes) and every write runs in
 * a transaction started with BEGIN IMMEDIATE, so concurrent writers from
 * other processes wait on busy_timeout instead of failing with SQLITE_BUSY.
 */
import type Database from 'better-sqlite3'
import type {
  EventRecord,
  EventType,
  LatestMaterialization,
  LineageEdge,
  MaterializationRecord,
  NewEvent,
  NewMaterialization,
  NewRun,
  PartitionRunState,
  PartitionStateRecord,
  RunRecord,
  RunStatus,
  Storage,
} from '../types.js'
import { openDatabase } from './open.js'
import { sqliteCode, storageError, wrapStorageError } from './errors.js'
import { RunsTable } from './runs.js'
import { EventsTable } from './events.js'
import { MaterializationsTable } from './materializations.js'
import { LineageTable } from './lineage.js'
import { LatestTable } from './latest.js'
import { PartitionStatesTable } from './partition-states.js'
import { checkAttemptState, checkFinalStatus, checkNewMaterialization, checkNewRun } from './validate.js'

type AttemptState = { assetKey: string; partitionKey: string; state: 'IN_PROGRESS' | 'FAILED' }

export function orphanMessage(pid: number, host: string): string {
  return `The process running this run (pid ${pid} on ${host}) exited before it finished; its unfinished steps were marked failed.`
}

export class SqliteStorage implements Storage {
  readonly description: string
  private readonly db: Database.Database
  private closed = false
  private readonly runs: RunsTable
  private readonly events: EventsTable
  private readonly materializations: MaterializationsTable
  private readonly lineage: LineageTable
  private readonly latest: LatestTable
  private readonly states: PartitionStatesTable

  // Write transactions, built once; always invoked with `.immediate(...)`.
  private readonly txAppendEvents: Database.Transaction<(events: readonly NewEvent[]) => number[]>
  private readonly txSetStates: Database.Transaction<(states: readonly AttemptState[], runId: string, now: number) => void>
  private readonly txRecord: Database.Transaction<(m: NewMaterialization, consumed: readonly LineageEdge[]) => number>
  private readonly txFailOrphans: Database.Transaction<(dead: readonly RunRecord[], now: number) => string[]>
  private readonly txCreateRun: Database.Transaction<(run: NewRun) => void>
  private readonly txFinishRun: Database.Transaction<(runId: string, status: RunStatus, endedAt: number) => boolean>
  // Read transactions (deferred: they only read, so they never need to upgrade) for consistent multi-query reads.
  private readonly readLatest: Database.Transaction<(assetKey: string, partitionKey: string) => LatestMaterialization | undefined>
  private readonly readLatestMany: Database.Transaction<(assetKeys?: readonly string[]) => LatestMaterialization[]>

  constructor(readonly file: string) {
    this.description = file
    this.db = openDatabase(file)
    const db = this.db
    this.runs = new RunsTable(db)
    this.events = new EventsTable(db)
    this.materializations = new MaterializationsTable(db)
    this.lineage = new LineageTable(db)
    this.latest = new LatestTable(db)
    this.states = new PartitionStatesTable(db)

    this.txCreateRun = db.transaction((run) => this.runs.insert(run))
    this.txFinishRun = db.transaction((runId, status, endedAt) => this.runs.finish(runId, status, endedAt))
    this.readLatest = db.transaction((assetKey, partitionKey) => this.latest.get(assetKey, partitionKey))
    this.readLatestMany = db.transaction((assetKeys) => this.latest.many(assetKeys))
    this.txAppendEvents = db.transaction((events) => events.map((e) => this.events.insert(e)))
    this.txSetStates = db.transaction((states, runId, now) => {
      for (const s of states) this.states.setAttempt(s.assetKey, s.partitionKey, s.state, runId, now)
    })
    this.txRecord = db.transaction((m, consumed) => {
      const id = this.materializations.insert(m)
      this.lineage.insert(id, consumed)
      this.events.insert({
        runId: m.runId,
        ts: m.endedAt,
        type: 'MATERIALIZATION',
        assetKey: m.assetKey,
        partitionKey: m.partitionKey,
        level: 'info',
        data: { materializationId: id, dataVersion: m.dataVersion, codeVersion: m.codeVersion, location: m.location },
      })
      this.latest.set(m.assetKey, m.partitionKey, id)
      this.states.setMaterialized(m.assetKey, m.partitionKey, m.runId, m.endedAt, id, m.dataVersion)
      return id
    })
    this.txFailOrphans = db.transaction((dead, now) => {
      const changed: string[] = []
      for (const run of dead) {
        if (!this.runs.failIfRunning(run.runId, now)) continue // finished meanwhile
        this.events.insert({
          runId: run.runId,
          ts: now,
          type: 'RUN_FAILURE',
          level: 'error',
          message: orphanMessage(run.pid, run.host),
          data: { pid: run.pid, host: run.host, orphaned: true },
        })
        this.states.failInProgress(run.runId, now)
        changed.push(run.runId)
      }
      return changed
    })
  }

  /** Runs `fn` on the open connection, turning any failure into a StrataError saying what was being done. */
  private use<T>(doing: string, fn: () => T): T {
    if (this.closed) throw storageError(`Cannot ${doing}: the storage ${this.description} is closed.`)
    try {
      return fn()
    } catch (err) {
      throw wrapStorageError(err, doing, this.description)
    }
  }

  /** For a foreign-key failure, names the missing run or upstream materialization. */
  private missingReference(err: unknown, runIds: Iterable<string>, upstreamIds: Iterable<number> = []): never {
    if (sqliteCode(err) === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
      for (const runId of runIds) {
        if (!this.runs.exists(runId)) throw storageError(`Run ${runId} does not exist in ${this.description}; call createRun first.`, { runId })
      }
      for (const id of upstreamIds) {
        if (!this.materializations.exists(id)) {
          throw storageError(`Upstream materialization ${id} does not exist in ${this.description}; lineage edges must point at recorded materializations.`, {
            upstreamMaterializationId: id,
          })
        }
      }
    }
    throw err
  }

  async createRun(run: NewRun): Promise<void> {
    this.use('creating a run', () => {
      checkNewRun(run)
      try {
        this.txCreateRun.immediate(run)
      } catch (err) {
        const code = sqliteCode(err)
        if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
          throw storageError(`Run ${run.runId} already exists in ${this.description}; run ids must be unique.`, { runId: run.runId })
        }
        throw err
      }
    })
  }

  async finishRun(runId: string, status: Exclude<RunStatus, 'RUNNING'>, endedAt: number): Promise<void> {
    this.use(`finishing run ${runId}`, () => {
      checkFinalStatus(runId, status)
      if (!this.txFinishRun.immediate(runId, status, endedAt)) throw storageError(`Cannot finish run ${runId}: no such run in ${this.description}.`, { runId })
    })
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return this.use(`reading run ${runId}`, () => this.runs.get(runId))
  }

  async listRuns(opts?: { limit?: number; status?: RunStatus }): Promise<RunRecord[]> {
    return this.use('listing runs', () => this.runs.list(opts))
  }

  async failOrphanedRuns(isAlive: (pid: number, host: string) => boolean, now: number): Promise<string[]> {
    // isAlive is user code: call it outside the write transaction.
    const running = this.use('listing running runs', () => this.runs.list({ status: 'RUNNING' }))
    const dead = running.filter((r) => !isAlive(r.pid, r.host))
    if (dead.length === 0) return []
    return this.use('failing orphaned runs', () => this.txFailOrphans.immediate(dead, now))
  }

  async appendEvents(events: NewEvent[]): Promise<number[]> {
    if (events.length === 0) return []
    return this.use('appending events', () => {
      try {
        return this.txAppendEvents.immediate(events)
      } catch (err) {
        this.missingReference(err, new Set(events.map((e) => e.runId)))
      }
    })
  }

  async getEvents(runId: string, opts?: { afterId?: number; limit?: number; types?: EventType[] }): Promise<EventRecord[]> {
    return this.use(`reading events of run ${runId}`, () => this.events.list(runId, opts))
  }

  async setPartitionStates(states: AttemptState[], runId: string, now: number): Promise<void> {
    if (states.length === 0) return
    this.use('setting partition states', () => {
      for (const s of states) checkAttemptState(s.assetKey, s.partitionKey, s.state)
      try {
        this.txSetStates.immediate(states, runId, now)
      } catch (err) {
        this.missingReference(err, [runId])
      }
    })
  }

  async recordMaterialization(m: NewMaterialization, consumed: LineageEdge[]): Promise<MaterializationRecord> {
    return this.use(`recording a materialization of ${String(m.assetKey)}`, () => {
      checkNewMaterialization(m)
      let id: number
      try {
        id = this.txRecord.immediate(m, consumed ?? [])
      } catch (err) {
        this.missingReference(err, [m.runId], (consumed ?? []).map((e) => e.upstreamMaterializationId))
      }
      return {
        id,
        assetKey: m.assetKey,
        partitionKey: m.partitionKey,
        runId: m.runId,
        codeVersion: m.codeVersion,
        dataVersion: m.dataVersion,
        location: m.location,
        format: m.format,
        bytes: m.bytes,
        metadata: m.metadata ?? {},
        startedAt: m.startedAt,
        endedAt: m.endedAt,
      }
    })
  }

  async getMaterialization(id: number): Promise<MaterializationRecord | undefined> {
    return this.use(`reading materialization ${id}`, () => this.materializations.get(id))
  }

  async getLatest(assetKey: string, partitionKey = ''): Promise<LatestMaterialization | undefined> {
    return this.use(`reading the latest materialization of ${assetKey}`, () => this.readLatest(assetKey, partitionKey))
  }

  async getLatestMany(assetKeys?: readonly string[]): Promise<LatestMaterialization[]> {
    return this.use('reading latest materializations', () => this.readLatestMany(assetKeys))
  }

  async listMaterializations(assetKey: string, opts?: { partitionKey?: string; limit?: number }): Promise<MaterializationRecord[]> {
    return this.use(`listing materializations of ${assetKey}`, () => this.materializations.list(assetKey, opts))
  }

  async getLineage(materializationId: number): Promise<LineageEdge[]> {
    return this.use(`reading lineage of materialization ${materializationId}`, () => this.lineage.list(materializationId))
  }

  async getPartitionStates(assetKey: string): Promise<PartitionStateRecord[]> {
    return this.use(`reading partition states of ${assetKey}`, () => this.states.list(assetKey))
  }

  async countPartitionStates(assetKey: string): Promise<Record<PartitionRunState, number>> {
    return this.use(`counting partition states of ${assetKey}`, () => this.states.count(assetKey))
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.db.close()
  }
}
