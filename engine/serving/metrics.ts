/**
 * Serving metrics in the Prometheus text exposition format (version 0.0.4):
 * counters and a latency histogram keyed by label sets. No dependency.
 */

/** Latency buckets, seconds. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

type Labels = Record<string, string | number>

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
const labelText = (labels: Labels) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escape(String(v))}"`)
  return parts.length ? `{${parts.join(',')}}` : ''
}

class Counter {
  readonly values = new Map<string, { labels: Labels; value: number }>()
  constructor(readonly name: string, readonly help: string, readonly type: 'counter' | 'gauge' = 'counter') {}
  inc(labels: Labels, by = 1): void {
    const k = labelText(labels)
    const e = this.values.get(k)
    if (e) e.value += by
    else this.values.set(k, { labels, value: by })
  }
  set(labels: Labels, value: number): void {
    this.values.set(labelText(labels), { labels, value })
  }
  clear(): void {
    this.values.clear()
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`]
    for (const { labels, value } of this.values.values()) lines.push(`${this.name}${labelText(labels)} ${value}`)
    return lines.join('\n')
  }
}

class Histogram {
  readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>()
  constructor(readonly name: string, readonly help: string, readonly buckets = LATENCY_BUCKETS) {}
  observe(labels: Labels, value: number): void {
    const k = labelText(labels)
    let s = this.series.get(k)
    if (!s) this.series.set(k, (s = { labels, counts: new Array(this.buckets.length).fill(0), sum: 0, count: 0 }))
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++
    s.sum += value
    s.count++
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`]
    for (const { labels, counts, sum, count } of this.series.values()) {
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket${labelText({ ...labels, le: b })} ${counts[i]}`))
      lines.push(`${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}`)
      lines.push(`${this.name}_sum${labelText(labels)} ${sum}`)
      lines.push(`${this.name}_count${labelText(labels)} ${count}`)
    }
    return lines.join('\n')
  }
}

/** The metrics one serving process exposes at GET /metrics. */
export class ServingMetrics {
  readonly requests = new Counter('strata_serving_requests_total', 'Prediction requests by model, version that answered (empty when none did), stage and HTTP status.')
  readonly errors = new Counter('strata_serving_errors_total', 'Failed requests by model and error code.')
  readonly instances = new Counter('strata_serving_instances_total', 'Instances scored, by model version.')
  readonly latency = new Histogram('strata_serving_request_duration_seconds', 'Prediction request latency (body parsed to response written), by model version.')
  readonly warnings = new Counter('strata_serving_prediction_warnings_total', 'Warnings on answered predictions (features missing or partial in the online store), by model and warning kind.')
  readonly shadow = new Counter('strata_serving_shadow_comparisons_total', 'Requests also scored by the shadow version.')
  readonly shadowDisagreements = new Counter('strata_serving_shadow_label_disagreements_total', 'Instances whose label differs between production and shadow.')
  readonly loaded = new Counter('strata_serving_model_loaded', '1 for each model version loaded, by role.', 'gauge')
  readonly reloads = new Counter('strata_serving_reloads_total', 'Model versions loaded after start (promotions, rollbacks, new features).')
  readonly httpErrors = new Counter('strata_serving_http_errors_total', 'Error responses on every route (predict, models, healthz, metrics, none), including requests the HTTP parser rejected, by HTTP status and error code.')
  readonly uncaught = new Counter('strata_serving_uncaught_errors_total', 'Errors raised outside any request, logged while the server kept serving, by origin (uncaughtException, unhandledRejection, server).')

  render(): string {
    const all = [this.requests, this.errors, this.instances, this.latency, this.warnings, this.shadow, this.shadowDisagreements, this.loaded, this.reloads, this.httpErrors, this.uncaught]
    return all.map((m) => m.render()).join('\n') + '\n'
  }
}
