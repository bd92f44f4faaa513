import { audited } from './audited';
import { recordingAuditor } from './__testUtils__/testApp';

describe('audited', () => {
  it('records success with the target and the details the result adds', async () => {
    const { auditor, events } = recordingAuditor();
    const result = await audited(
      auditor,
      {
        eventId: 'grant-create',
        target: 'resource:default/web-01',
        meta: { subject: 'user:default/dave' },
        successMeta: (grant: { id: string }) => ({ grantId: grant.id }),
      },
      async () => ({ id: 'g1' }),
    );
    expect(result).toEqual({ id: 'g1' });
    expect(events).toEqual([
      {
        eventId: 'grant-create',
        status: 'succeeded',
        request: false,
        meta: {
          subject: 'user:default/dave',
          target: 'resource:default/web-01',
          grantId: 'g1',
        },
      },
    ]);
  });

  it('records the failure and rethrows it', async () => {
    const { auditor, events } = recordingAuditor();
    await expect(
      audited(
        auditor,
        { eventId: 'job-rerun', target: 'job-run:7' },
        async () => {
          throw new Error('every host succeeded');
        },
      ),
    ).rejects.toThrow('every host succeeded');
    expect(events).toEqual([
      expect.objectContaining({
        eventId: 'job-rerun',
        status: 'failed',
        error: 'every host succeeded',
        meta: { target: 'job-run:7' },
      }),
    ]);
  });

  it('names the person and what acted for them when there is no request of theirs', async () => {
    const { auditor, events } = recordingAuditor();
    await audited(
      auditor,
      {
        eventId: 'job-run',
        severityLevel: 'high',
        actor: 'user:default/bob',
        via: 'schedule:nightly',
        target: 'job:backup',
      },
      async () => undefined,
    );
    expect(events[0].meta).toEqual({
      actor: 'user:default/bob',
      via: 'schedule:nightly',
      target: 'job:backup',
    });
  });
});
