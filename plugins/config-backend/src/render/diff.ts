import { createTwoFilesPatch } from 'diff';

/** Unified diff from `before` to `after` ('' when they are equal). */
export function unifiedDiff(
  before: string,
  after: string,
  beforeLabel: string,
  afterLabel: string,
): string {
  if (before === after) return '';
  return createTwoFilesPatch(beforeLabel, afterLabel, before, after, '', '', {
    context: 3,
  });
}
