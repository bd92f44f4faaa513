import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { BASE, renderCard } from '../__testUtils__/renderCard';

const RS = 'payments-api-5f7b9c6d48';
const step = (
  state: string,
  updated: number,
  ready: number,
  available: number,
  conditions: object[] = [],
) => ({
  state,
  message: `kubectl message ${updated}/${ready}/${available}`,
  revision: '4',
  replicas: 2,
  updated,
  ready,
  available,
  newReplicaSet: RS,
  conditions,
});

async function restart() {
  await userEvent.click(await screen.findByRole('button', { name: 'Restart' }));
  const dialog = await screen.findByRole('dialog');
  await userEvent.click(
    within(dialog).getByRole('button', { name: 'Confirm' }),
  );
}

describe('the rollout after a restart from the tab', () => {
  it('is followed step by step until it completes, then no longer read', async () => {
    const steps = [
      step('progressing', 1, 2, 2),
      step('progressing', 2, 1, 1),
      step('complete', 2, 2, 2),
    ];
    let reads = 0;
    const calls = renderCard({
      allowed: ['opsdeck.kubernetes.deployment.restart'],
      rolloutPollMs: 5,
      answer: c => {
        if (c.method === 'POST')
          return { status: 200, body: { restartedAt: 'x' } };
        reads += 1;
        return { status: 200, body: steps[Math.min(reads, steps.length) - 1] };
      },
    });
    await restart();
    const progress = await screen.findByTestId('kubernetes-rollout');
    expect(
      within(progress).getByText('Rollout of payments-api'),
    ).toBeInTheDocument();
    // every step was shown: its counts, the new ReplicaSet
    expect(
      await within(progress).findByText('1 of 2 updated, 2 ready, 2 available'),
    ).toBeInTheDocument();
    expect(
      within(progress).getByText(`New ReplicaSet ${RS} (revision 4)`),
    ).toBeInTheDocument();
    expect(
      await within(progress).findByText('Rollout complete'),
    ).toBeInTheDocument();
    expect(
      within(progress).getByText('2 of 2 updated, 2 ready, 2 available'),
    ).toBeInTheDocument();
    const rolloutCalls = calls.filter(c => c.url.includes('/rollout'));
    expect(rolloutCalls).toHaveLength(3);
    expect(rolloutCalls[0]).toMatchObject({ method: 'GET' });
    expect(new URL(rolloutCalls[0].url).pathname).toBe(
      '/api/kubernetes/opsdeck/deployments/rollout',
    );
    expect(
      Object.fromEntries(new URL(rolloutCalls[0].url).searchParams),
    ).toEqual({
      entityRef: 'component:default/payments-api',
      cluster: 'k8s-prod',
      namespace: 'payments',
      name: 'payments-api',
    });
    expect(rolloutCalls[0].url.startsWith(BASE)).toBe(true);
    // complete: no further reads
    await new Promise(r => setTimeout(r, 50));
    expect(calls.filter(c => c.url.includes('/rollout'))).toHaveLength(3);
  });

  it('says why a rollout failed (ProgressDeadlineExceeded)', async () => {
    renderCard({
      allowed: ['opsdeck.kubernetes.deployment.restart'],
      rolloutPollMs: 5,
      answer: c =>
        c.method === 'POST'
          ? { status: 200, body: { restartedAt: 'x' } }
          : {
              status: 200,
              body: step('failed', 1, 1, 1, [
                {
                  type: 'Progressing',
                  status: 'False',
                  reason: 'ProgressDeadlineExceeded',
                  message: `ReplicaSet "${RS}" has timed out progressing.`,
                },
              ]),
            },
    });
    await restart();
    expect(
      await screen.findByText(
        `Rollout failed: ReplicaSet "${RS}" has timed out progressing.`,
      ),
    ).toBeInTheDocument();
  });

  it("shows a refused read (the server's message) and no completion", async () => {
    renderCard({
      allowed: ['opsdeck.kubernetes.deployment.restart'],
      rolloutPollMs: 5,
      answer: c =>
        c.method === 'POST'
          ? { status: 200, body: { restartedAt: 'x' } }
          : {
              status: 403,
              body: {
                error: { name: 'NotAllowedError', message: 'not yours' },
              },
            },
    });
    await restart();
    expect(
      await screen.findByText('Could not read the rollout: not yours'),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.queryByText('Rollout complete')).not.toBeInTheDocument(),
    );
  });

  it("says a rate-limited read (429 kubernetes-rate-limited) in the plugin's words", async () => {
    renderCard({
      allowed: ['opsdeck.kubernetes.deployment.restart'],
      rolloutPollMs: 5,
      answer: c =>
        c.method === 'POST'
          ? { status: 200, body: { restartedAt: 'x' } }
          : {
              status: 429,
              body: {
                error: {
                  name: 'RateLimitedError',
                  message: 'Too many calls',
                  code: 'kubernetes-rate-limited',
                  limit: 120,
                  retryAfterSeconds: 42,
                },
              },
            },
    });
    await restart();
    expect(
      await screen.findByText(
        'Could not read the rollout: You read rollouts 120 times in the last minute: try again in 42 seconds',
      ),
    ).toBeInTheDocument();
  });
});
