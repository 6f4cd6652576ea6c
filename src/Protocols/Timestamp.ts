/**
 * The three AWS timestamp wire formats: epoch seconds (`unixTimestamp`), RFC 7231 http-date
 * (`rfc822`) and RFC 3339 date-time (`iso8601`).
 *
 * Formatting and parsing work on an `Instant` (whole seconds and nanoseconds) so that no
 * precision is lost in between; the SDK's public values are `Date`s (millisecond precision).
 *
 * @since 0.1.0
 */
import type { TimestampFormat } from "./Shape.js"

/** A point in time: whole seconds since the epoch (may be negative) plus 0..999,999,999 ns. */
export interface Instant {
  readonly seconds: number
  readonly nanos: number
}

/** A value that is not a valid timestamp in the format asked for. */
export class TimestampError extends Error {
  override readonly name = "TimestampError"
}

const DAY = 86_400
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const
const WEEKDAYS = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"] as const

// Civil-from-days and days-from-civil (proleptic Gregorian), exact for any year in range.
const daysFromCivil = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = (month + 9) % 12
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

const civilFromDays = (days: number): { year: number; month: number; day: number } => {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day }
}

const pad = (n: number, width: number): string => String(n).padStart(width, "0")

const daysInMonth = (year: number, month: number): number =>
  month === 2
    ? (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31

interface Fields {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
  readonly second: number
  readonly weekday: number
}

const fieldsOf = (instant: Instant): Fields => {
  const days = Math.floor(instant.seconds / DAY)
  const rem = instant.seconds - days * DAY
  const { year, month, day } = civilFromDays(days)
  return {
    year,
    month,
    day,
    hour: Math.floor(rem / 3600),
    minute: Math.floor((rem % 3600) / 60),
    second: rem % 60,
    weekday: ((days % 7) + 7) % 7
  }
}

/** Fraction digits of `nanos`, at most `digits` of them (truncated), trailing zeros removed. */
const fraction = (nanos: number, digits: number): string => {
  if (nanos === 0) return ""
  const s = pad(nanos, 9).slice(0, digits).replace(/0+$/, "")
  return s === "" ? "" : `.${s}`
}

const checkYear = (year: number, format: string): void => {
  if (year < 1 || year > 9999) {
    throw new TimestampError(`year ${year} cannot be written as ${format} (years 0001-9999 only)`)
  }
}

const validInstant = (instant: Instant): void => {
  if (!Number.isSafeInteger(instant.seconds) || !Number.isInteger(instant.nanos)) {
    throw new TimestampError(`invalid instant ${instant.seconds}s ${instant.nanos}ns`)
  }
  if (instant.nanos < 0 || instant.nanos > 999_999_999) {
    throw new TimestampError(`nanoseconds out of range: ${instant.nanos}`)
  }
}

/** Epoch seconds: `1515531081` or `1515531081.123` (up to microseconds). */
export const formatEpochSeconds = (instant: Instant): string => {
  validInstant(instant)
  return `${instant.seconds}${fraction(instant.nanos, 9)}`
}

/** RFC 7231 IMF-fixdate: `Tue, 29 Apr 2014 18:30:38 GMT` (sub-second part dropped). */
export const formatHttpDate = (instant: Instant): string => {
  validInstant(instant)
  const f = fieldsOf(instant)
  checkYear(f.year, "an http-date")
  return `${WEEKDAYS[f.weekday]}, ${pad(f.day, 2)} ${MONTHS[f.month - 1]} ${pad(f.year, 4)} ${pad(f.hour, 2)}:${pad(
    f.minute,
    2
  )}:${pad(f.second, 2)} GMT`
}

/** RFC 3339 date-time in UTC: `2014-04-29T18:30:38Z`, fraction up to microseconds when present. */
export const formatDateTime = (instant: Instant): string => {
  validInstant(instant)
  const f = fieldsOf(instant)
  checkYear(f.year, "a date-time")
  return `${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}T${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(
    f.second,
    2
  )}${fraction(instant.nanos, 6)}Z`
}

const nanosOf = (digits: string | undefined): number =>
  digits ? Number(digits.slice(0, 9).padEnd(9, "0")) : 0

const EPOCH_RE = /^(-?\d+)(?:\.(\d+))?$/

/** Parses epoch seconds with an optional fraction (the integer part carries the sign). */
export const parseEpochSeconds = (value: string): Instant => {
  const m = EPOCH_RE.exec(value)
  if (m === null) throw new TimestampError(`not an epoch-seconds timestamp: ${JSON.stringify(value)}`)
  const seconds = Number(m[1])
  if (!Number.isSafeInteger(seconds)) throw new TimestampError(`epoch seconds out of range: ${value}`)
  return { seconds, nanos: nanosOf(m[2]) }
}

const instantOf = (
  value: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  nanos: number
): Instant => {
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 60
  ) {
    throw new TimestampError(`invalid date or time in ${JSON.stringify(value)}`)
  }
  // a leap second is read as the last second of the minute, as the other SDKs do
  const s = Math.min(second, 59)
  return { seconds: daysFromCivil(year, month, day) * DAY + hour * 3600 + minute * 60 + s, nanos }
}

const HTTP_DATE_RE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))? GMT$/

/** Parses an RFC 7231 IMF-fixdate (an optional fraction of a second is accepted). */
export const parseHttpDate = (value: string): Instant => {
  const m = HTTP_DATE_RE.exec(value)
  if (m === null) throw new TimestampError(`not an http-date: ${JSON.stringify(value)}`)
  return instantOf(
    value,
    Number(m[4]),
    MONTHS.indexOf(m[3] as (typeof MONTHS)[number]) + 1,
    Number(m[2]),
    Number(m[5]),
    Number(m[6]),
    Number(m[7]),
    nanosOf(m[8])
  )
}

const DATE_TIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/

/** Parses an RFC 3339 date-time; offsets other than `Z` are applied. */
export const parseDateTime = (value: string): Instant => {
  const m = DATE_TIME_RE.exec(value)
  if (m === null) throw new TimestampError(`not an RFC 3339 date-time: ${JSON.stringify(value)}`)
  const base = instantOf(
    value,
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
    nanosOf(m[7])
  )
  if (m[8] !== undefined) return base
  const hours = Number(m[10])
  const minutes = Number(m[11])
  if (hours > 23 || minutes > 59) throw new TimestampError(`invalid offset in ${JSON.stringify(value)}`)
  const offset = (hours * 60 + minutes) * 60 * (m[9] === "-" ? -1 : 1)
  return { seconds: base.seconds - offset, nanos: base.nanos }
}

/** The instant of a `Date` (millisecond precision). */
export const fromDate = (date: Date): Instant => {
  const ms = date.getTime()
  if (Number.isNaN(ms)) throw new TimestampError("invalid Date")
  const seconds = Math.floor(ms / 1000)
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 }
}

/** The `Date` of an instant (sub-millisecond digits truncated). */
export const toDate = (instant: Instant): Date =>
  new Date(instant.seconds * 1000 + Math.floor(instant.nanos / 1_000_000))

/** Formats a `Date` in a wire format. */
export const format = (date: Date, fmt: TimestampFormat): string => {
  const instant = fromDate(date)
  switch (fmt) {
    case "iso8601":
      return formatDateTime(instant)
    case "rfc822":
      return formatHttpDate(instant)
    case "unixTimestamp":
      return formatEpochSeconds(instant)
  }
}

/**
 * Parses a wire value into a `Date`. Services are lenient in what they send, so any of the three
 * formats is accepted whatever the expected one, as the other AWS SDKs do.
 */
export const parse = (value: string, fmt: TimestampFormat): Date => {
  const v = value.trim()
  const first = fmt === "unixTimestamp" ? parseEpochSeconds : fmt === "rfc822" ? parseHttpDate : parseDateTime
  try {
    return toDate(first(v))
  } catch (e) {
    if (EPOCH_RE.test(v)) return toDate(parseEpochSeconds(v))
    if (HTTP_DATE_RE.test(v)) return toDate(parseHttpDate(v))
    if (DATE_TIME_RE.test(v)) return toDate(parseDateTime(v))
    throw e
  }
}

/** Epoch seconds as a JSON number (`1515531081.123`), for the JSON protocols. */
export const toEpochNumber = (date: Date): number => {
  const ms = date.getTime()
  if (Number.isNaN(ms)) throw new TimestampError("invalid Date")
  return ms / 1000
}

/** A `Date` from a JSON epoch-seconds number. */
export const fromEpochNumber = (seconds: number): Date => {
  if (!Number.isFinite(seconds)) throw new TimestampError(`invalid epoch seconds: ${seconds}`)
  return new Date(Math.round(seconds * 1000))
}
