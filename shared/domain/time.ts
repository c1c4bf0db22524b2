/** Kazakhstan has kept one time zone, UTC+5, since March 2024: the NBK rate day and the MRP year follow it. */
const KZ_OFFSET_MS = 5 * 3600 * 1000;

/** The calendar day (`YYYY-MM-DD`) in Kazakhstan at `instant`. */
export function kazakhstanDay(instant: Date): string {
  return new Date(instant.getTime() + KZ_OFFSET_MS).toISOString().slice(0, 10);
}
