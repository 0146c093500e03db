/**
 * The steps that could start now, taken lowest `order` first — the order a
 * sort of the whole queue by `order` would give, ties in arrival order — but
 * in O(log n) per push and take: a backfill makes tens of thousands of
 * steps ready at once, and re-sorting them on every hand-off grew quadratic.
 *
 * Steps of a named pool at its limit are passed over, not removed: each pool
 * has its own heap, so `take` compares only the heads of the pools that have
 * room, whatever the number of steps waiting on a full pool.
 */
export interface Ready<T> {
  item: T
  order: number
  /** The named pool the step runs in (`asset({ pool })`); undefined: no limit but the executor's. */
  pool?: string
}

/** A heap entry: the value, its order, and its arrival number (the tie-break). */
export interface Entry<T> {
  item: T
  order: number
  seq: number
}

const before = <T>(a: Entry<T>, b: Entry<T>) => a.order < b.order || (a.order === b.order && a.seq < b.seq)

/** A binary min-heap on (order, arrival). */
export class MinHeap<T> {
  private readonly a: Entry<T>[] = []

  get size(): number {
    return this.a.length
  }

  peek(): Entry<T> | undefined {
    return this.a[0]
  }

  push(e: Entry<T>): void {
    const a = this.a
    a.push(e)
    let i = a.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(e, a[parent]!)) break
      a[i] = a[parent]!
      i = parent
    }
    a[i] = e
  }

  pop(): Entry<T> | undefined {
    const a = this.a
    const top = a[0]
    const last = a.pop()
    if (a.length === 0 || last === undefined) return top
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= a.length) break
      const r = l + 1
      const child = r < a.length && before(a[r]!, a[l]!) ? r : l
      if (!before(a[child]!, last)) break
      a[i] = a[child]!
      i = child
    }
    a[i] = last
    return top
  }
}

export class ReadyQueue<T> {
  /** One heap per named pool; '' holds the steps of no pool. */
  private readonly heaps = new Map<string, MinHeap<Ready<T>>>()
  private seq = 0
  private count = 0

  get size(): number {
    return this.count
  }

  push(r: Ready<T>): void {
    const name = r.pool ?? ''
    let heap = this.heaps.get(name)
    if (!heap) this.heaps.set(name, (heap = new MinHeap<Ready<T>>()))
    heap.push({ item: r, order: r.order, seq: this.seq++ })
    this.count++
  }

  /**
   * Removes and returns the lowest-ordered step whose pool `hasRoom`
   * (asked for named pools only), or undefined when none can start.
   */
  take(hasRoom: (pool: string) => boolean): Ready<T> | undefined {
    let best: MinHeap<Ready<T>> | undefined
    let bestHead: Entry<Ready<T>> | undefined
    this.heaps.forEach((heap, name) => {
      const head = heap.peek()
      if (!head || (bestHead && !before(head, bestHead))) return
      if (name !== '' && !hasRoom(name)) return
      best = heap
      bestHead = head
    })
    if (!best) return undefined
    this.count--
    return (best as MinHeap<Ready<T>>).pop()!.item
  }

  /** Removes and returns the lowest-ordered step of no named pool if `accept` takes it, else undefined. */
  takeUnpooled(accept: (r: Ready<T>) => boolean): Ready<T> | undefined {
    const heap = this.heaps.get('')
    const head = heap?.peek()
    if (!head || !accept(head.item)) return undefined
    this.count--
    return heap!.pop()!.item
  }

  /** Removes and returns everything, lowest order first. */
  drain(): Ready<T>[] {
    const out: Ready<T>[] = []
    for (let r = this.take(() => true); r; r = this.take(() => true)) out.push(r)
    return out
  }
}
