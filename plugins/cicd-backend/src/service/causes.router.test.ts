import request from 'supertest';
import { demoJenkinsMain, FixtureJenkins } from '../testUtils';
import { as, component, startCicdBackend } from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

// Stored causes: the knowledge base people add to from a failed build.
describe('cicd stored causes', () => {
  let main: FixtureJenkins;
  let backend: Awaited<ReturnType<typeof startCicdBackend>>;
  const causes = '/api/cicd/causes';
  const build45 = `/api/cicd/entities/component/default/shop/build?job=${encodeURIComponent(
    'main:shop/web',
  )}&number=45`;
  const cause = {
    name: 'Strict type check of index.ts',
    category: 'compile',
    patterns: [String.raw`^\+ tsc --noEmit --strict index\.ts$`],
    runbook: 'https://wiki.example.com/runbooks/strict-tsc',
  };

  beforeAll(async () => {
    main = demoJenkinsMain();
    await main.start();
    backend = await startCicdBackend({
      entities: [component('shop', 'main:shop/web')],
      instances: [{ name: 'main', baseUrl: main.url }],
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await main?.stop();
  });

  const add = (body: object, user = 'dave') =>
    request(backend.server)
      .post(causes)
      .set('Authorization', as(user))
      .send(body);
  const remove = (id: string, user = 'dave') =>
    request(backend.server)
      .delete(`${causes}/${id}`)
      .set('Authorization', as(user));
  const list = async (user = 'erin') =>
    request(backend.server).get(causes).set('Authorization', as(user));
  const located = async () => {
    const res = await request(backend.server)
      .get(build45)
      .set('Authorization', as('erin'));
    expect(res.status).toBe(200);
    return res.body;
  };

  it('lets a viewer list causes but not add or delete them; no role gets 403', async () => {
    const viewer = await list('erin');
    expect(viewer.status).toBe(200);
    expect(viewer.body.items.length).toBeGreaterThanOrEqual(30);
    expect(viewer.body.items.every((c: any) => c.source === 'built-in')).toBe(
      true,
    );
    expect((await add(cause, 'erin')).status).toBe(403);
    expect((await remove('user-1', 'erin')).status).toBe(403);
    expect((await list('mallory')).status).toBe(403);
    expect((await add(cause, 'mallory')).status).toBe(403);
    expect((await remove('user-1', 'mallory')).status).toBe(403);
    const anonymous = await request(backend.server).post(causes).send(cause);
    expect(anonymous.status).toBe(401);
    expect((await list('erin')).body.items).toHaveLength(
      viewer.body.items.length,
    );
    expect(backend.events.filter(e => e.eventId === 'cause-create')).toEqual(
      [],
    );
  });

  it('refuses patterns RE2 cannot compile, too many or too long, bad runbooks and categories', async () => {
    const before = (await list()).body.items.length;
    const bad: Array<[object, RegExp]> = [
      [{ ...cause, patterns: ['type(?= error)'] }, /Invalid pattern/],
      [{ ...cause, patterns: [String.raw`(a)\1`] }, /Invalid pattern/],
      [{ ...cause, patterns: ['unclosed('] }, /Invalid pattern/],
      [{ ...cause, patterns: [] }, /patterns/],
      [{ ...cause, patterns: Array(21).fill('x') }, /patterns/],
      [{ ...cause, patterns: ['x'.repeat(2001)] }, /patterns/],
      // eslint-disable-next-line no-script-url -- the hostile runbook refused
      [{ ...cause, runbook: 'javascript:alert(1)' }, /http/],
      [{ ...cause, runbook: 'file:///etc/passwd' }, /http/],
      [{ ...cause, runbook: 'not a url' }, /http/],
      [{ ...cause, category: 'mystery' }, /category/],
      [{ ...cause, name: '   ' }, /name/],
      [{ ...cause, name: 'a\u0007b' }, /name/],
      [{ ...cause, weight: 100 }, /weight|additional/],
    ];
    for (const [body, message] of bad) {
      const res = await add(body);
      expect([res.status, res.body.error?.message]).toEqual([
        400,
        expect.stringMatching(message),
      ]);
    }
    expect((await list()).body.items).toHaveLength(before);
  });

  it('stores a cause a developer adds, audited with the person as actor, and locates it in the build', async () => {
    const before = await located();
    expect(before.located.causes[0].id).toBe('typescript-compile');
    const res = await add(cause);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^user-\d+$/),
      source: 'stored',
      category: 'compile',
      title: { en: cause.name, 'zh-CN': cause.name },
      patterns: cause.patterns,
      runbook: cause.runbook,
      createdBy: 'user:default/dave',
      createdAt: expect.any(String),
    });
    const id = res.body.id;
    const event = backend.events.find(
      e => e.eventId === 'cause-create' && e.status === 'succeeded',
    )!;
    expect(event).toMatchObject({
      status: 'succeeded',
      actor: { actorId: 'user:default/dave' },
      meta: { target: `cicd-cause:${id}`, category: 'compile' },
    });
    const items = (await list('erin')).body.items;
    expect(items.at(-1)).toMatchObject({ id, source: 'stored' });

    // the same build located again, now with the stored cause first
    const after = await located();
    const top = after.located.causes[0];
    expect(top).toMatchObject({
      id,
      category: 'compile',
      title: { en: cause.name },
      runbook: cause.runbook,
      stage: 'Build',
    });
    const byLine = new Map(after.excerpt.map((e: any) => [e.line, e.text]));
    expect(top.lines.map((n: number) => byLine.get(n))).toEqual([
      '+ tsc --noEmit --strict index.ts',
    ]);
    expect(after.located.causes.map((c: any) => c.id)).toContain(
      'typescript-compile',
    );

    // deleting: viewer no, built-in no, the developer yes (audited), then gone
    expect((await remove(id, 'erin')).status).toBe(403);
    expect((await remove('typescript-compile')).status).toBe(409);
    const deleted = await remove(id);
    expect([deleted.status, deleted.body.id]).toEqual([200, id]);
    expect(
      backend.events.find(
        e => e.eventId === 'cause-delete' && e.status === 'succeeded',
      ),
    ).toMatchObject({
      status: 'succeeded',
      actor: { actorId: 'user:default/dave' },
      meta: { target: `cicd-cause:${id}`, name: cause.name },
    });
    expect((await remove(id)).status).toBe(404);
    expect((await remove('user-999999')).status).toBe(404);
    const gone = await located();
    expect(gone.located.causes.map((c: any) => c.id)).not.toContain(id);
    expect(gone.located.causes[0].id).toBe('typescript-compile');
  });

  it('audits a refused cause as a failure naming the person', async () => {
    await add({ ...cause, runbook: 'ftp://example.com/x' }, 'alice');
    const failed = backend.events
      .filter(e => e.eventId === 'cause-create' && e.status === 'failed')
      .at(-1);
    expect(failed).toMatchObject({
      actor: { actorId: 'user:default/alice' },
    });
  });
});
