import type { Actor, SqlChange } from '../model';

/**
 * True when a change waits for this person's decision: it is pending, they
 * did not submit it, they are in the group of its current approval level and
 * did not approve an earlier level (the rules ChangeService.decide enforces).
 */
export function waitsFor(
  change: Pick<
    SqlChange,
    'status' | 'submitter' | 'approverGroups' | 'approvals'
  >,
  who: Pick<Actor, 'userRef' | 'ownership'>,
): boolean {
  if (change.status !== 'pending' || change.submitter === who.userRef) {
    return false;
  }
  if (change.approvals.some(a => a.user === who.userRef)) return false;
  const level = change.approvals.filter(a => a.decision === 'approved').length;
  const group = change.approverGroups[level];
  return group !== undefined && who.ownership.includes(group.toLowerCase());
}
