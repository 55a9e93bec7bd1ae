/**
 * Prometheus duration syntax (prometheus/common model/time.go): integer amounts of
 * y, w, d, h, m, s, ms, in that order, at least one; or the literal "0". `1.5m`, `30` and `30m1h`
 * are rejected, as Prometheus rejects them.
 */
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86400e3, 7 * 86400e3, 86400e3, 3600e3, 60e3, 1e3, 1];

/** Prometheus refuses a duration past int64 nanoseconds, in whole milliseconds (about 292 years). */
export const MAX_DURATION_MS = 9_223_372_036_854;

/** PURE: milliseconds, or null if `text` is not a Prometheus duration (or is longer than Prometheus accepts). */
export function parseDuration(text: string): number | null {
  if (text === '0') return 0;
  if (text === '') return null;
  const m = DURATION.exec(text);
  if (!m) return null;
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * UNIT_MS[i]!;
  return ms > MAX_DURATION_MS ? null : ms;
}
