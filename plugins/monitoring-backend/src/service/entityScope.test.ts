import { mockCredentials } from '@backstage/backend-test-utils';
import {
  alertEntityScope,
  CATALOG_BATCH,
  readableEntityRefs,
} from './entityScope';

/** A catalog of `existing` refs; `shown(ref, user)` decides what a user reads. */
function catalog(
  existing: Set<string>,
  shown: (ref: string, user?: string) => boolean,
) {
  const calls: Array<{ refs: string[]; user?: string }> = [];
  return {
    calls,
    async getEntitiesByRefs(req: { entityRefs: string[] }, opts: any) {
      const user = opts?.credentials?.principal?.userEntityRef;
      calls.push({ refs: req.entityRefs, user });
      return {
        items: req.entityRefs.map(ref =>
          existing.has(ref) && shown(ref, user)
            ? ({ kind: 'Resource' } as any)
            : undefined,
        ),
      };
    },
  };
}

const refs = (n: number, prefix = 'h') =>
  Array.from({ length: n }, (_, i) => `resource:default/${prefix}-${i}`);

describe('readableEntityRefs', () => {
  it('asks the catalog in batches and maps each answer to its ref', async () => {
    const all = refs(1_201);
    const odd = (ref: string) => Number(ref.split('-')[1]) % 2 === 1;
    const c = catalog(new Set(all), odd);
    const readable = await readableEntityRefs(
      c,
      [...all, ...all],
      mockCredentials.user('user:default/dave'),
    );
    expect(c.calls.map(call => call.refs.length)).toEqual([
      CATALOG_BATCH,
      CATALOG_BATCH,
      1_201 - 2 * CATALOG_BATCH,
    ]);
    expect([...readable].sort()).toEqual(all.filter(odd).sort());
    expect(await readableEntityRefs(c, [], mockCredentials.user())).toEqual(
      new Set(),
    );
  });
});

describe('alertEntityScope', () => {
  const existing = new Set([
    'resource:default/shown',
    'resource:default/hidden',
  ]);
  const refsOfAlerts = [
    'resource:default/shown',
    'resource:default/hidden',
    'resource:default/gone',
  ];
  // the catalog hides "hidden" from users; the plugin itself reads all
  const shown = (ref: string, user?: string) =>
    !user || ref !== 'resource:default/hidden';
  const service = async () => mockCredentials.service();

  it('adds entities that are gone for managers, never hidden ones', async () => {
    const c = catalog(existing, shown);
    const scope = await alertEntityScope(
      c,
      refsOfAlerts,
      { credentials: mockCredentials.user('user:default/otto'), manager: true },
      service,
    );
    expect([...scope].sort()).toEqual([
      'resource:default/gone',
      'resource:default/shown',
    ]);
    // the plugin's own read is asked only about what the caller cannot read
    expect(c.calls[1]).toEqual({
      refs: ['resource:default/hidden', 'resource:default/gone'],
      user: undefined,
    });
  });

  it('gives others what the catalog shows them only, without a service read', async () => {
    const c = catalog(existing, shown);
    const scope = await alertEntityScope(
      c,
      refsOfAlerts,
      {
        credentials: mockCredentials.user('user:default/dave'),
        manager: false,
      },
      service,
    );
    expect([...scope]).toEqual(['resource:default/shown']);
    expect(c.calls).toHaveLength(1);
  });
});
