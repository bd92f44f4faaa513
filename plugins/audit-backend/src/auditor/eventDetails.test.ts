import { NotAllowedError } from '@backstage/errors';
import { deriveTarget, outcomeOf, sanitizeMeta } from './eventDetails';

describe('sanitizeMeta', () => {
  it('drops secret-like keys at any depth', () => {
    expect(
      sanitizeMeta({
        user: 'alice',
        password: 'hunter2',
        newPassword: 'x',
        clientSecret: 'x',
        accessToken: 'x',
        apiKey: 'x',
        Credentials: { a: 1 },
        nested: { TOKEN: 'x', keep: 1, list: [{ secretValue: 'x', ok: true }] },
      }),
    ).toEqual({
      user: 'alice',
      nested: { keep: 1, list: [{ ok: true }] },
    });
  });

  it('handles missing meta, dates, functions and cycles', () => {
    expect(sanitizeMeta(undefined)).toEqual({});
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(sanitizeMeta(cyclic)).toEqual({ a: 1 });
    expect(
      sanitizeMeta({
        at: new Date('2026-01-01T00:00:00Z'),
        fn: () => 1,
      }),
    ).toEqual({ at: '2026-01-01T00:00:00.000Z' });
  });
});

describe('deriveTarget', () => {
  it('uses ref-like fields first', () => {
    expect(
      deriveTarget({ queryType: 'refresh', entityRef: 'component:default/a' }),
    ).toBe('component:default/a');
    expect(deriveTarget({ targetRef: 'user:default/bob', id: '1' })).toBe(
      'user:default/bob',
    );
    expect(
      deriveTarget({ actionType: 'create', templateRef: 'template:default/t' }),
    ).toBe('template:default/t');
    expect(deriveTarget({ userEntityRef: 'user:default/x' })).toBe(
      'user:default/x',
    );
    expect(deriveTarget({ hostRef: 'resource:default/h1' })).toBe(
      'resource:default/h1',
    );
  });

  it('understands entity and location objects', () => {
    expect(
      deriveTarget({
        entity: {
          kind: 'Component',
          metadata: { name: 'svc', namespace: 'ops' },
        },
      }),
    ).toBe('component:ops/svc');
    expect(
      deriveTarget({ location: { type: 'url', target: 'https://x/y.yaml' } }),
    ).toBe('url:https://x/y.yaml');
  });

  it('falls back to ids and is empty when nothing names a target', () => {
    expect(deriveTarget({ actionType: 'cancel', taskId: 't-1' })).toBe('t-1');
    expect(deriveTarget({ actionType: 'delete', uid: 'u-1' })).toBe('u-1');
    expect(deriveTarget({ queryType: 'all' })).toBe('');
    expect(deriveTarget({})).toBe('');
  });
});

describe('deriveTarget for opsdeck plugins', () => {
  it.each([
    ['jobs', { jobId: 'j1', runId: 'r1' }, 'job:j1'],
    ['jobs', { scheduleId: 's1', jobId: 'j1' }, 'job-schedule:s1'],
    ['jobs', { runId: 'r1' }, 'job-run:r1'],
    ['sql', { changeId: 7, comment: 'ok' }, 'sql-change:7'],
    [
      'sql',
      { instanceRef: 'resource:default/db', changeId: 7 },
      'resource:default/db',
    ],
    [
      'bastion',
      { grantId: 'g1', subject: 'user:default/dave' },
      'bastion-grant:g1',
    ],
    ['bastion', { sessionId: 's1', host: 'web-01' }, 'bastion-session:s1'],
    ['files', { fileId: 'f1' }, 'file:f1'],
    ['tickets', { ticketId: 12 }, 'ticket:12'],
    // another plugin's keys mean nothing here
    ['catalog', { changeId: 7 }, ''],
  ])('%s %j -> %s', (plugin, meta, target) => {
    expect(deriveTarget(meta, plugin)).toBe(target);
  });
});

describe('outcomeOf', () => {
  it('tells denials from other failures', () => {
    expect(outcomeOf('succeeded')).toBe('success');
    expect(outcomeOf('failed', new NotAllowedError('no'))).toBe('denied');
    expect(outcomeOf('failed', new Error('boom'))).toBe('failed');
  });
});
