/**
 * Strict timestamps from requests and cursors. JavaScript's `Date` parser accepts almost anything
 * ("hello 5", "2026-02-31", year -271821) and PostgreSQL refuses much of what it accepts (a 500),
 * so request text is checked here first: ISO 8601 dates and date-times (or PostgreSQL's own text
 * form, a space instead of the T), years 0001–9999, real calendar days, hours 00–23, minutes and
 * seconds 00–59, UTC offsets up to ±15:59:59 (PostgreSQL's limit).
 */
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2})(?::?(\d{2}))?)?)?)?$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * The instant `text` names, or null when it is not a strict timestamp. A date alone is midnight
 * UTC; a date-time without an offset is local time (as `Date` reads it).
 */
export function parseTimestamp(text: string): Date | null {
  const m = TIMESTAMP.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const millis = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
  const [offsetHours, offsetMinutes, offsetSeconds] = [
    Number(m[10] ?? 0),
    Number(m[11] ?? 0),
    Number(m[12] ?? 0),
  ];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  if (offsetHours > 15 || offsetMinutes > 59 || offsetSeconds > 59) return null;
  const date = new Date(0);
  if (m[4] !== undefined && m[8] === undefined && m[9] === undefined) {
    // setFullYear, not the Date constructor, which reads years 0–99 as 1900–1999.
    date.setFullYear(year, month - 1, day);
    date.setHours(hour, minute, second, millis);
    return date;
  }
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  const sign = m[9] === '-' ? -1 : 1;
  const offsetMs = sign * ((offsetHours * 60 + offsetMinutes) * 60 + offsetSeconds) * 1000;
  return new Date(date.getTime() - offsetMs);
}
