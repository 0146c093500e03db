/**
 * Automation for the UI, read from storage off the render path: the
 * overview `strata automation list` prints and the recent ticks (while the
 * automation view is open), and per asset the explanation `strata automation
 * why` prints (for the asset shown in the detail pane). Each poll compares a
 * cheap signature (the newest tick, recent requests' states, the daemon's
 * lease); when it changes, what is shown is read again.
 *
 * Storage reads hold the thread (SQLite answers synchronously), so what is
 * read is bounded: the overview reads one evaluation per condition, hence at
 * most CONDITIONS_READ conditions (those of recent requests first: the view
 * cannot show more); an explanation is read once the cursor rests on an asset.
 */
import type { Definitions } from '../../assets/types.js'
import { automationOverview, automationSources, conditionLabel, explainAutomation, type AutomationTickRecord, type Workspace } from '../../engine/index.js'
import { errorText, type AssetAutomation, type AutomationView } from './model.js'

/** Ticks listed in the view. */
const TICKS_LISTED = 20
/** Requests listed in the view (and in the signature). */
const REQUESTS_LISTED = 20
/** While the view is open, the overview is read at least this often (evaluation times move on without a new tick row). */
const OVERVIEW_MAX_AGE_MS = 30_000
/** Conditions whose last evaluation the overview reads. */
export const CONDITIONS_READ = 100
/** An explanation is read once the cursor has rested this long on an asset (each costs a live evaluation). */
const EXPLAIN_AFTER_MS = 120
/** The view counts as open while it asked this recently (it renders at least every second). */
const WANTED_FOR_MS = 3000

interface Explained {
  value?: AssetAutomation
  reading: boolean
  stale: boolean
}

export interface AutomationFeedOptions {
  /** Called when something read arrives. */
  changed: () => void
  failed: (what: string, err: unknown) => void
  /** The instant conditions are evaluated at ("now" in an explanation). */
  now: () => number
}

export class AutomationFeed {
  private readonly declared: boolean
  private readonly conditions: ReadonlyMap<string, string>
  private readonly targeted: boolean
  private view?: AutomationView
  private wantedAt = 0
  private readAt = 0
  private signature = ''
  private reading = false
  private readonly explained = new Map<string, Explained>()
  private explainTimer?: NodeJS.Timeout
  private lastAsked?: string

  constructor(
    private readonly ws: Workspace,
    private readonly opts: AutomationFeedOptions,
  ) {
    const sources = automationSources(ws.defs)
    this.conditions = new Map([...sources.conditions].map(([key, spec]) => [key, conditionLabel(spec)]))
    this.targeted = sources.schedules.length > 0 || sources.sensors.length > 0
    this.declared = this.conditions.size > 0 || this.targeted
  }

  /** The view's data (no overview until first read); asking keeps it fresh for a few seconds. */
  get(): AutomationView {
    this.wantedAt = Date.now()
    if (this.declared && !this.reading && (!this.view || Date.now() - this.readAt > OVERVIEW_MAX_AGE_MS)) void this.readOverview()
    return this.view ?? { declared: this.declared, conditions: this.conditions.size, ticks: [] }
  }

  /** The asset's automation for the detail pane; undefined when nothing automates it. Read on first ask and after each change. */
  asset(key: string): AssetAutomation | undefined {
    const condition = this.conditions.get(key)
    if (condition === undefined && !this.targeted) return undefined
    let e = this.explained.get(key)
    if (!e) this.explained.set(key, (e = { reading: false, stale: true }))
    if (e.stale && !e.reading) this.explainSoon(key)
    if (!e.value) return condition === undefined ? undefined : { condition }
    // Only a schedule or sensor could target it: shown once one does.
    if (condition === undefined && !e.value.explanation?.targetedBy.length) return undefined
    return e.value
  }

  /** Marks assets whose status changed: their explanation is read again when next shown. */
  invalidate(keys: Iterable<string>): void {
    for (const k of keys) {
      const e = this.explained.get(k)
      if (e) e.stale = true
    }
  }

  /** One poll: re-reads what is shown when the daemon recorded something, or the open view's overview when it is getting old. */
  async poll(): Promise<void> {
    if (!this.declared) return
    const { storage } = this.ws
    const [tick] = await storage.listAutomationTicks({ limit: 1 })
    const requests = await storage.listAutomationRequests({ limit: REQUESTS_LISTED })
    const lease = await storage.getDaemonLease()
    const signature = `${tick?.tickId ?? ''}|${requests.map((r) => `${r.requestId}:${r.status}:${r.runStatus ?? ''}`).join(',')}|${lease?.owner ?? ''}`
    const changed = signature !== this.signature
    this.signature = signature
    if (changed && this.explained.size) {
      for (const e of this.explained.values()) e.stale = true
      // A render asks again for the asset shown.
      this.opts.changed()
    }
    // The heartbeat moves every few seconds: kept current without reading the whole overview.
    const daemon = this.view?.overview?.daemon
    if (!changed && daemon && lease && Date.parse(daemon.heartbeat) !== lease.heartbeatAt) {
      const overview = { ...this.view!.overview!, daemon: { ...daemon, heartbeat: new Date(lease.heartbeatAt).toISOString(), expires: new Date(lease.expiresAt).toISOString(), live: lease.expiresAt > Date.now() } }
      this.view = { ...this.view!, overview }
      this.opts.changed()
    }
    const wanted = Date.now() - this.wantedAt < WANTED_FOR_MS
    if (wanted && (changed || Date.now() - this.readAt > OVERVIEW_MAX_AGE_MS)) await this.readOverview()
    // Not shown now: read when next asked.
    else if (changed) this.readAt = 0
  }

  private async readOverview(): Promise<void> {
    if (this.reading) return
    this.reading = true
    try {
      const now = new Date(this.opts.now())
      const ws = this.conditions.size > CONDITIONS_READ ? { ...this.ws, defs: await this.fewerConditions() } : this.ws
      const overview = await automationOverview(ws, { now, requests: REQUESTS_LISTED })
      const ticks: AutomationTickRecord[] = await this.ws.storage.listAutomationTicks({ limit: TICKS_LISTED })
      this.view = { declared: this.declared, conditions: this.conditions.size, overview, ticks }
      this.readAt = Date.now()
      this.opts.changed()
    } catch (err) {
      this.opts.failed('the automation overview', err)
    } finally {
      this.reading = false
    }
  }

  /** The definitions with CONDITIONS_READ conditions: those of the newest requests first, then in definition order. */
  private async fewerConditions(): Promise<Definitions> {
    const keep = new Set<string>()
    for (const r of await this.ws.storage.listAutomationRequests({ sourceKind: 'conditions', limit: CONDITIONS_READ })) if (this.conditions.has(r.sourceName)) keep.add(r.sourceName)
    for (const key of this.conditions.keys()) {
      if (keep.size >= CONDITIONS_READ) break
      keep.add(key)
    }
    return { ...this.ws.defs, assets: this.ws.defs.assets.filter((a) => !a.automation || keep.has(a.key)) }
  }

  /** Explains the asset last asked for once the cursor rests on it. */
  private explainSoon(key: string): void {
    if (this.lastAsked === key && this.explainTimer) return
    this.lastAsked = key
    clearTimeout(this.explainTimer)
    this.explainTimer = setTimeout(() => {
      this.explainTimer = undefined
      const e = this.explained.get(key)
      if (e && e.stale && !e.reading && this.lastAsked === key) this.explain(key, e)
    }, EXPLAIN_AFTER_MS)
    this.explainTimer.unref()
  }

  /** Stops a pending read. */
  close(): void {
    clearTimeout(this.explainTimer)
  }

  private explain(key: string, e: Explained): void {
    e.reading = true
    e.stale = false
    explainAutomation(this.ws, key, { now: new Date(this.opts.now()), limit: 3 }).then(
      (explanation) => {
        e.reading = false
        if (this.explained.get(key) !== e) return
        e.value = { condition: this.conditions.get(key), explanation }
        this.opts.changed()
      },
      (err) => {
        e.reading = false
        if (this.explained.get(key) !== e) return
        e.value = { condition: this.conditions.get(key), error: errorText(err) }
        this.opts.failed(`the automation of ${key}`, err)
      },
    )
  }
}
