/**
 * Clock skew: the offset between the server's clock and ours, learned from the `Date` of a
 * response that says our signature's time was wrong, and the date a request is signed with.
 *
 * A server's `Date` is believed only within bounds: it must parse to a finite time, and the offset
 * it implies must be at most `MAX_CLOCK_OFFSET_MS` (100 years) either way; anything else is ignored
 * and the call fails with the service's error. The bound is wide on purpose: a device whose clock
 * restarted at 1970 is the case skew correction exists for (the other SDKs correct any offset), and
 * 100 years keeps every signing date a valid four-digit-year SigV4 date, far from where `Date` breaks. An authentication failure that may have other causes
 * (`SignatureDoesNotMatch`, `InvalidSignatureException`, `AuthFailure`) corrects the clock only when
 * the `Date` differs from the time we signed with by more than `SKEW_THRESHOLD_MS` (5 minutes, as
 * the JS v3 SDK): a wrong secret is not retried as skew. A signing date is always valid, whatever
 * the stored offset holds.
 *
 * @since 0.1.0
 */

/** The largest offset from the local clock a server's `Date` may set: 100 years (of 365.25 days) either way. */
export const MAX_CLOCK_OFFSET_MS = 100 * 365.25 * 24 * 60 * 60 * 1000

/**
 * How far the server's `Date` must be from the time a request was signed with before an ambiguous
 * authentication failure is taken for clock skew: 5 minutes (SigV4 accepts 15).
 */
export const SKEW_THRESHOLD_MS = 5 * 60 * 1000

/** A usable clock offset: finite and within `MAX_CLOCK_OFFSET_MS` either way. */
export const isUsableOffset = (offsetMs: number): boolean =>
  Number.isFinite(offsetMs) && Math.abs(offsetMs) <= MAX_CLOCK_OFFSET_MS

/**
 * An HTTP date as servers send it (IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`) or an ISO 8601
 * UTC time: `Date.parse` alone takes almost anything (`"1"` is the year 2001).
 */
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/

/**
 * Server time minus local time from a response's `Date` header, or `undefined` when there is no
 * `Date`, it is not an HTTP (or ISO 8601 UTC) date, or the offset is beyond `MAX_CLOCK_OFFSET_MS`.
 */
export const offsetFromDate = (
  headers: Readonly<Record<string, string>> | undefined,
  nowMs: number
): number | undefined => {
  const date = headers?.date?.trim()
  if (date === undefined || !(HTTP_DATE.test(date) || ISO_DATE.test(date))) return undefined
  const offset = Date.parse(date) - nowMs
  return isUsableOffset(offset) ? offset : undefined
}

/**
 * The date to sign with: local time plus the offset, the offset ignored when it is not usable
 * (set by hand to something out of bounds), so signing never meets an invalid date.
 */
export const signingDate = (nowMs: number, offsetMs: number): Date => {
  const date = new Date(nowMs + (isUsableOffset(offsetMs) ? offsetMs : 0))
  return Number.isNaN(date.getTime()) ? new Date(0) : date
}

/**
 * Whether a clock-skew error (`Errors.classify` = "clockSkew") should correct the clock to
 * `offsetMs` (from `offsetFromDate`) and be retried: always for the codes that say the time was
 * wrong, for the ambiguous authentication failures only when the server's clock differs from the
 * one signed with (local time plus `currentOffsetMs`) by more than `SKEW_THRESHOLD_MS`.
 */
export const shouldCorrect = (code: string | undefined, offsetMs: number, currentOffsetMs: number): boolean =>
  code === undefined || !ambiguousCodes.has(code) || Math.abs(offsetMs - currentOffsetMs) > SKEW_THRESHOLD_MS

/** Clock-skew codes that an authentication failure with a correct clock also answers. */
const ambiguousCodes = new Set(["InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure"])
