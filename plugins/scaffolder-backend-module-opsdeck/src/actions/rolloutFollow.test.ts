import {
  followRollout,
  rolloutChanges,
  type RolloutSnapshot,
} from './rolloutFollow';
import { messageOf } from './deployImage';

// The rollout's text comes from the cluster (condition messages and
// reasons, the revision annotation, the ReplicaSet name): a hostile cluster
// must not write lines of its own into the task log, nor terminal escapes.
describe('rolloutChanges', () => {
  const snapshot = (over: Partial<RolloutSnapshot>): RolloutSnapshot => ({
    state: 'progressing',
    message: 'Waiting for deployment "web" rollout to finish',
    replicas: 2,
    updated: 1,
    ready: 1,
    available: 1,
    conditions: [],
    ...over,
  });

  it('logs one line per change, as the cluster said it', () => {
    expect(
      rolloutChanges(
        undefined,
        snapshot({
          revision: '3',
          newReplicaSet: 'web-5d4f',
          conditions: [
            {
              type: 'Progressing',
              status: 'True',
              reason: 'NewReplicaSetCreated',
              message: 'Created new replica set "web-5d4f"',
            },
          ],
        }),
      ),
    ).toEqual([
      'Waiting for deployment "web" rollout to finish (1/2 updated, 1/2 ready, 1/2 available; new ReplicaSet web-5d4f (revision 3))',
      'Condition Progressing=True NewReplicaSetCreated: Created new replica set "web-5d4f"',
    ]);
  });

  it('keeps a hostile cluster from forging log lines or terminal escapes', () => {
    const lines = rolloutChanges(
      undefined,
      snapshot({
        message:
          'rolling\r\n2026-12-04T09:00:00Z info deployment "web" successfully rolled out',
        revision: '3\n\u001b[2Jfake',
        newReplicaSet: 'web\u001b]8;;http://evil/\u0007x',
        conditions: [
          {
            type: 'Progressing\u2028',
            status: 'True',
            reason: 'x\u001b[31m',
            message: 'line one\nDeployed to prod: approved by ops\u0000',
          },
        ],
      }),
    );
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      // no C0/C1 control character, DEL or line/paragraph separator
      // eslint-disable-next-line no-control-regex
      expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    }
    expect(lines[1]).toContain('line one Deployed to prod');
  });

  it('ends with the message and revision as one line each', async () => {
    const ended = await followRollout({
      read: async () =>
        snapshot({
          state: 'failed',
          message:
            'deployment "web\nRollout complete" exceeded its progress deadline',
          revision: '4\r\n\u001b[1A',
        }),
      log: () => {},
      timeoutMs: 1000,
      pollMs: 1,
      pause: async () => {},
    });
    expect(ended.state).toBe('failed');
    expect(`${ended.message}|${ended.revision}`).not.toMatch(
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u001f\u007f-\u009f]/,
    );
  });

  it('logs a refusal quoting the cluster as one line too', () => {
    const line = messageOf({
      status: 409,
      body: {
        error: {
          message:
            'the cluster answered 409 (conflict\nRollout complete\u001b[2J)',
        },
      },
    });
    expect(line).toBe(
      '409: the cluster answered 409 (conflict Rollout complete [2J)',
    );
  });
});
