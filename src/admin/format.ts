/** A time as the admin commands print it, to the minute: `2026-11-30 08:40 UTC`. */
export function utcMinute(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
