/**
 * CSV as RFC 4180 describes it: CRLF line ends, fields with a comma, quote,
 * CR or LF are quoted and their quotes doubled. NULL is an empty field.
 */
export function toCsv(columns: string[], rows: (string | null)[][]): string {
  const line = (fields: (string | null)[]) => fields.map(csvField).join(',');
  return [line(columns), ...rows.map(line)].map(l => `${l}\r\n`).join('');
}

function csvField(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
