import {
  MAX_CAUSE_PATTERNS,
  MAX_PATTERN_LENGTH,
} from '@opsdeck/plugin-cicd-common';

/** Characters with a meaning in RE2 syntax. */
const SPECIAL = /[\\^$.*+?()[\]{}|]/g;

/**
 * A console line as an RE2 pattern that matches it literally: special
 * characters escaped, surrounding blanks dropped, cut so that the pattern
 * stays within the backend's length limit.
 */
export function lineToPattern(line: string): string {
  let text = line.trim();
  // each character escapes to at most two
  if (text.length > MAX_PATTERN_LENGTH / 2) {
    text = text.slice(0, MAX_PATTERN_LENGTH / 2);
  }
  return text.replace(SPECIAL, '\\$&');
}

/** The patterns of the dialog's text field: one per non-blank line. */
export function patternsOf(text: string): string[] {
  return text
    .split('\n')
    .map(p => p.trim())
    .filter(Boolean)
    .slice(0, MAX_CAUSE_PATTERNS);
}
