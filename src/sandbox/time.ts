/** `yyyyMMddHHmmss` in Japan time, GMO-PG's date format. */
export function gmoDate(ms = Date.now()): string {
  const d = new Date(ms + 9 * 3600_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}
