/** `<input type="datetime-local">` speaks local wall-clock time without an offset. */
function pad(value: number): string {
  return String(value).padStart(2, '0');
}

export function toLocalInput(date: Date): string {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

/** The instant, as ISO 8601 in UTC, or null when the input is empty or unreadable. */
export function fromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  // A date-time without an offset is read as local time, as the visitor meant it.
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
