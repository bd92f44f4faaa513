/**
 * Dates and numbers as the reader's interface language writes them.
 *
 * The portal sets the language once per switch ({@link setDisplayLanguage},
 * called by the app when the user picks a language in Settings); every screen
 * then formats through these functions instead of `toLocaleString()`, which
 * would follow the browser's locale (US English in most installs) rather than
 * the language the user chose.
 */

let displayLanguage: string | undefined;

/** Sets the language dates and numbers are written in (e.g. `zh-CN`). */
export function setDisplayLanguage(language: string | undefined): void {
  displayLanguage = language;
}

/** The language dates and numbers are written in now. */
export function getDisplayLanguage(): string | undefined {
  return displayLanguage;
}

type DateInput = string | number | Date | null | undefined;

function toDate(value: DateInput): Date | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * A date and time (`2026/12/2 22:15:04` in zh-CN, `12/2/2026, 10:15:04 PM` in
 * en); '' for no or an invalid value.
 */
export function formatDateTime(value: DateInput): string {
  const date = toDate(value);
  return date ? date.toLocaleString(displayLanguage) : '';
}

/** The time of day only; '' for no or an invalid value. */
export function formatTime(value: DateInput): string {
  const date = toDate(value);
  return date ? date.toLocaleTimeString(displayLanguage) : '';
}

/** A number with the language's grouping and decimal marks. */
export function formatNumber(
  value: number,
  options?: Intl.NumberFormatOptions,
): string {
  return value.toLocaleString(displayLanguage, options);
}
