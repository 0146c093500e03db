/** fast-check generators of time-window definitions, shared by the property tests. */
import fc from 'fast-check'
import { timeWindowPartitions } from '../../assets/partitions/index.js'
import type { TimeWindowPartitions } from '../../assets/partitions/time-window.js'
import type { Gran, RefDef, RefSchedule } from './reference.js'

export const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Sydney'] as const
const MINUTE = 60_000
const DAY = 86_400_000

/** DST transitions, month and year ends: starts cluster around them. */
const ANCHORS = ['2020-10-25', '2020-11-01', '2020-12-31', '2021-02-27', '2021-03-14', '2021-03-28', '2021-04-04', '2021-06-30', '2021-10-03'].map((d) => Date.parse(`${d}T00:00:00Z`))
const FIRST_START = Date.UTC(2020, 9, 1)
const LAST_START = Date.UTC(2021, 6, 1)

export const scheduleArb: fc.Arbitrary<RefSchedule> = fc
  .record({
    gran: fc.constantFrom<Gran>('hourly', 'daily', 'weekly', 'monthly'),
    minute: fc.constantFrom(0, 30),
    hour: fc.constantFrom(0, 1, 2),
    dow: fc.constantFrom(0, 3),
    dom: fc.constantFrom(1, 15),
    zone: fc.constantFrom(...ZONES),
  })
  .map((s) => ({
    ...s,
    hour: s.gran === 'hourly' ? 0 : s.hour,
    dow: s.gran === 'weekly' ? s.dow : 0,
    dom: s.gran === 'monthly' ? s.dom : 1,
  }))

const startArb = fc.oneof(
  fc.integer({ min: FIRST_START / MINUTE, max: LAST_START / MINUTE }).map((m) => m * MINUTE),
  fc.tuple(fc.constantFrom(...ANCHORS), fc.integer({ min: -10 * 24, max: 3 * 24 })).map(([a, h]) => Math.min(LAST_START, a + h * 3_600_000)),
)

export const defArb: fc.Arbitrary<RefDef> = fc
  .record({
    s: scheduleArb,
    start: startArb,
    endOffset: fc.integer({ min: -2, max: 2 }),
    endDays: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
  })
  .map(({ s, start, endOffset, endDays }) => ({ ...s, start, endOffset, end: endDays === undefined ? undefined : start + endDays * DAY }))

/** An instant up to 50 days after `start`. */
export const nowAfter = (start: number): fc.Arbitrary<number> => fc.integer({ min: 0, max: 50 * 24 * 60 }).map((m) => start + m * MINUTE)

/** An instant from 70 days before `start` to 50 days after, often within a few hours of it. */
export const nowAround = (start: number): fc.Arbitrary<number> =>
  fc.oneof(fc.integer({ min: -70 * 24 * 60, max: 50 * 24 * 60 }), fc.integer({ min: -36 * 60, max: 36 * 60 })).map((m) => start + m * MINUTE)

export function cronOf(s: RefSchedule): string {
  switch (s.gran) {
    case 'hourly':
      return `${s.minute} * * * *`
    case 'daily':
      return `${s.minute} ${s.hour} * * *`
    case 'weekly':
      return `${s.minute} ${s.hour} * * ${s.dow}`
    default:
      return `${s.minute} ${s.hour} ${s.dom} * *`
  }
}

export function implDef(d: RefDef): TimeWindowPartitions {
  return timeWindowPartitions({
    cron: cronOf(d),
    start: new Date(d.start),
    end: d.end === undefined ? undefined : new Date(d.end),
    timezone: d.zone,
    endOffset: d.endOffset,
  }) as TimeWindowPartitions
}

export const describeDef = (d: RefDef, now: number): string =>
  `${cronOf(d)} ${d.zone} start=${new Date(d.start).toISOString()} end=${d.end === undefined ? '-' : new Date(d.end).toISOString()} endOffset=${d.endOffset} now=${new Date(now).toISOString()}`
