/** One line of doctor's report: ok, warn or FAIL, what was found, and for a failure its fix. */
export type Status = 'ok' | 'warn' | 'FAIL';
export interface Check {
  status: Status;
  name: string;
  text: string;
  fix?: string;
}

export const ok = (name: string, text: string): Check => ({ status: 'ok', name, text });
export const fail = (name: string, text: string, fix: string): Check => ({ status: 'FAIL', name, text, fix });


/** PURE: "7m30s", "12s", "1h2m" for a number of milliseconds. */
export function formatAge(ms: number): string {
  let s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  s %= 60;
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s > 0 || (h === 0 && m === 0) ? `${s}s` : ''}`;
}

