/** JSON columns: stored as text, parsed back to plain values. */

export function toJson(value: unknown): string {
  return JSON.stringify(value)
}

export function fromJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined) return fallback
  return JSON.parse(text) as T
}

/** Copies `value` onto `target[key]` unless it is NULL, so optional fields come back absent rather than `null`. */
export function setOptional<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | null | undefined): void {
  if (value !== null && value !== undefined) target[key] = value
}
