import { mockCredentials } from '@backstage/backend-test-utils';
import type { ChangeApprovalsService } from '@opsdeck/plugin-tickets-node';
import { waitForDecision } from './deployImage';

/** Approvals whose ticket answers these statuses in turn (the last one stays). */
function approvalsAnswering(...statuses: string[]) {
  const asked: number[] = [];
  const approvals = {
    async approvalStatus({ ticketId }: { ticketId: number }) {
      asked.push(ticketId);
      return statuses[Math.min(asked.length, statuses.length) - 1];
    },
  } as unknown as ChangeApprovalsService;
  return { approvals, asked };
}

const base = {
  credentials: mockCredentials.user('user:default/dave'),
  ticketId: 7,
  pollMs: 5,
};

describe('waitForDecision (a deploy-image run waiting for its prod approval)', () => {
  it('reads the status until it is decided', async () => {
    const { approvals, asked } = approvalsAnswering(
      'pending',
      'pending',
      'approved',
    );
    await expect(
      waitForDecision({ ...base, approvals, waitMs: 60_000 }),
    ).resolves.toBe('approved');
    expect(asked).toEqual([7, 7, 7]);
  });

  it('answers pending when no decision came in time', async () => {
    const { approvals, asked } = approvalsAnswering('pending');
    await expect(
      waitForDecision({ ...base, approvals, waitMs: 30 }),
    ).resolves.toBe('pending');
    expect(asked.length).toBeGreaterThan(1);
  });

  it('stops waiting when the task is cancelled', async () => {
    const { approvals } = approvalsAnswering('pending');
    const cancel = new AbortController();
    const waiting = waitForDecision({
      ...base,
      approvals,
      waitMs: 60_000,
      pollMs: 60_000,
      signal: cancel.signal,
    });
    cancel.abort();
    await expect(waiting).rejects.toThrow('The task was cancelled');
  });
});
