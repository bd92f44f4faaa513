/**
 * PromQL label matchers built from values opsdeck does not trust (catalog
 * names, request fields): every value is a quoted, escaped string literal,
 * and regex alternatives are regex-escaped, so a value can only ever match
 * itself.
 */

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A PromQL double-quoted string literal of `value`. */
export function promString(value: string): string {
  return `"${value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')}"`;
}

/** RE2 with every metacharacter escaped. */
export function regexEscape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One matcher; `name` must be a label name (opsdeck's own constants). */
export function matcher(
  name: string,
  op: '=' | '!=' | '=~' | '!~',
  value: string,
): string {
  if (!LABEL_NAME.test(name)) throw new Error(`bad label name ${name}`);
  return `${name}${op}${promString(value)}`;
}

/** `name=~"a|b"` matching exactly one of the values. */
export function oneOf(name: string, values: string[]): string {
  return matcher(name, '=~', values.map(regexEscape).join('|'));
}
