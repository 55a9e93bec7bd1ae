/**
 * Prometheus duration syntax (prometheus/common model/time.go): integer amounts of
 * y, w, d, h, m, s, ms, in that order, at least one; or the literal "0". `1.5m`, `30` and `30m1h`
 * are rejected, as Prometheus rejects them.
 */
const UNITS: ReadonlyArray<[string, number]> = [
  ['y', 365 * 86400e3],
  ['w', 7 * 86400e3],
  ['d', 86400e3],
  ['h', 3600e3],
  ['m', 60e3],
  ['s', 1e3],
  ['ms', 1],
];

/** Prometheus refuses a duration past int64 nanoseconds, in whole milliseconds (about 292 years). */
const MAX_DURATION_MS = 9_223_372_036_854;

/**
 * PURE: milliseconds, or null if `text` is not a Prometheus duration (or is longer than Prometheus
 * accepts). Read with a loop rather than a pattern: collect parses two durations on every run.
 */
export function parseDuration(text: string): number | null {
  if (text === '0') return 0;
  if (text === '') return null;
  let ms = 0;
  let next = 0; // the first unit still allowed: units come in UNITS' order, each at most once
  let i = 0;
  while (i < text.length) {
    let end = i;
    while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
    if (end === i) return null;
    const unit = text.startsWith('ms', end) ? 'ms' : text.charAt(end);
    let k = next;
    while (k < UNITS.length && UNITS[k]![0] !== unit) k++;
    if (k === UNITS.length) return null;
    ms += Number(text.slice(i, end)) * UNITS[k]![1];
    next = k + 1;
    i = end + unit.length;
  }
  return ms > MAX_DURATION_MS ? null : ms;
}
