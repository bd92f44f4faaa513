import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import {
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import {
  hostEntity,
  startMonitoringBackend,
  type MonitoringBackend,
} from '../__testUtils__/testBackend';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);
const sha256 = (text: string) =>
  createHash('sha256').update(text, 'utf8').digest('hex');
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** A catalog host reached over SSH at a test sshd, logging in with `probe-ssh`. */
function sshHost(name: string, port: number): Entity {
  const e = hostEntity(name, '127.0.0.1:9100');
  (e.spec as any).port = port;
  (e.spec as any).credential = 'probe-ssh';
  return e;
}

// Script probes: the probe's script runs on a real OpenSSH host through
// remote-node's job wrapper (script over standard input) when Prometheus
// scrapes it; exit 0 is up, a numeric first line the value.
describe('script probes on real sshd hosts', () => {
  let sshd: SshdHosts;
  let backend: MonitoringBackend;
  let dir: string;
  let flag: string;

  beforeAll(async () => {
    sshd = await startSshdHosts(1);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-script-probe-'));
    fs.chmodSync(dir, 0o755);
    flag = path.join(dir, 'flag');
    const knex = await databases.init('SQLITE_3');
    backend = await startMonitoringBackend({
      knex,
      entities: [
        sshHost('app-01', sshd.hosts[0].port),
        sshHost('vault-01', sshd.hosts[0].port),
        hostEntity('web-01', '127.0.0.1:9100'),
      ],
      // the catalog hides vault-01 from otto (ops, without the script permission)
      visibleTo: (user, entity) =>
        !(user === 'user:default/otto' && entity.metadata.name === 'vault-01'),
      monitoring: {
        probes: {
          blackbox: { configFile: path.join(dir, 'blackbox.yml') },
          allowTargets: ['127.0.0.1'],
          minIntervalSeconds: 1,
        },
      },
    });
    backend.vault.sshKeys['probe-ssh'] = {
      username: sshd.user,
      privateKey: sshd.privateKeyText,
    };
  });

  afterAll(async () => {
    await backend?.stop();
    await sshd?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const create = (body: Record<string, unknown>, user = 'alice') =>
    request(backend.server)
      .post('/api/monitoring/probes')
      .set('authorization', as(user))
      .send({
        entityRef: 'resource:default/app-01',
        kind: 'script',
        target: 'check',
        language: 'bash',
        interval: '1s',
        ...body,
      });
  const edit = (id: number, body: Record<string, unknown>, user = 'alice') =>
    request(backend.server)
      .put(`/api/monitoring/probes/${id}`)
      .set('authorization', as(user))
      .send({
        entityRef: 'resource:default/app-01',
        kind: 'script',
        target: 'check',
        language: 'bash',
        interval: '1s',
        ...body,
      });
  const metrics = async (id: number) => {
    // a probe runs at most once per half interval
    await sleep(600);
    const res = await request(backend.server)
      .get(`/api/monitoring/probes/process/metrics?probe=${id}`)
      .set('authorization', mockCredentials.service.header());
    expect(res.status).toBe(200);
    return res.text;
  };
  const list = async () =>
    (
      await request(backend.server)
        .get('/api/monitoring/probes')
        .set('authorization', as('alice'))
    ).body.items as { id: number; kind: string }[];

  it('needs opsdeck.monitoring.probe.script before anything: ops without it and a dev get 403, nothing is stored or run', async () => {
    const uses = backend.vault.uses.length;
    const before = await list();
    const pwned = path.join(dir, 'pwned');
    const script = `touch ${pwned}`;
    for (const user of ['otto', 'dave']) {
      const res = await create({ script }, user);
      expect([user, res.status]).toEqual([user, 403]);
      expect(res.body.error.code).toBe('not-allowed');
      // even a script that does not parse: the permission comes first
      expect((await create({ script: 'if (' }, user)).status).toBe(403);
    }
    // ops without the permission may still manage the other probes, but
    // may not turn one into a script probe, nor edit a script probe
    const tcp = await create(
      {
        kind: 'tcp',
        target: '127.0.0.1:22',
        script: undefined,
        language: undefined,
      },
      'otto',
    );
    expect(tcp.status).toBe(201);
    expect((await edit(tcp.body.id, { script }, 'otto')).status).toBe(403);
    const mine = await create({ script: 'exit 0' });
    expect(mine.status).toBe(201);
    const asTcp = await edit(
      mine.body.id,
      { kind: 'tcp', target: '127.0.0.1:22', language: undefined },
      'otto',
    );
    expect(asTcp.status).toBe(403);
    const after = await list();
    expect(after.map(p => p.id)).toEqual([
      ...before.map(p => p.id),
      tcp.body.id,
      mine.body.id,
    ]);
    expect(after.find(p => p.id === tcp.body.id)?.kind).toBe('tcp');
    expect(after.find(p => p.id === mine.body.id)).toEqual(mine.body);
    expect(backend.vault.uses.length).toBe(uses);
    expect(fs.existsSync(pwned)).toBe(false);
    const denied = backend.events.filter(
      e =>
        e.eventId === 'access-denied' &&
        e.actor.actorId === 'user:default/otto',
    );
    expect(denied.length).toBeGreaterThanOrEqual(4);
  });

  it("tells no one who cannot see a probe's entity that it is a script probe: 404 as for a missing probe, audited", async () => {
    const hidden = await create({
      entityRef: 'resource:default/vault-01',
      script: 'exit 0',
    });
    expect(hidden.status).toBe(201);
    const missing = await edit(
      999999,
      { kind: 'tcp', target: '127.0.0.1:22', language: undefined },
      'otto',
    );
    const res = await edit(
      hidden.body.id,
      {
        entityRef: 'resource:default/app-01',
        kind: 'tcp',
        target: '127.0.0.1:22',
        language: undefined,
      },
      'otto',
    );
    // the same answer as for a probe that does not exist, not the 403 that
    // would say "this one is a script probe"
    expect([missing.status, res.status]).toEqual([404, 404]);
    expect(res.body.error.message).toBe(`No probe ${hidden.body.id}`);
    expect(
      backend.events.some(
        e =>
          e.eventId === 'monitoring-probe-update' &&
          e.actor.actorId === 'user:default/otto' &&
          e.status === 'failed' &&
          JSON.stringify(e).includes(`monitoring-probe:${hidden.body.id}`),
      ),
    ).toBe(true);
    expect((await list()).find(p => p.id === hidden.body.id)).toEqual(
      hidden.body,
    );
  });

  it('refuses a script opsdeck cannot parse (400 probe-script-unparseable), too large, or not on a host; stores and runs nothing', async () => {
    const uses = backend.vault.uses.length;
    const before = await list();
    for (const script of [
      'if [ -f /etc/hosts ]; then echo 1',
      'echo "unterminated',
      'echo $(id',
    ]) {
      const res = await create({ script });
      expect([script, res.status]).toEqual([script, 400]);
      expect(res.body.error.code).toBe('probe-script-unparseable');
    }
    const big = await create({ script: `echo ${'x'.repeat(4092)}` });
    expect(big.status).toBe(400);
    expect((await create({ script: 'true', language: 'python' })).status).toBe(
      400,
    );
    expect((await create({ script: 'true', target: 'a b' })).status).toBe(400);
    const onNoSshHost = await create({
      script: 'true',
      entityRef: 'component:default/nothing',
    });
    expect(onNoSshHost.status).toBe(404);
    expect((await create({ script: undefined })).status).toBe(400);
    expect(
      (await create({ kind: 'process', target: 'sshd', script: 'true' }))
        .status,
    ).toBe(400);
    expect((await list()).map(p => p.id)).toEqual(before.map(p => p.id));
    expect(backend.vault.uses.length).toBe(uses);
  });

  it('goes up with its value, then down when its condition fails; the credential is taken out at each run', async () => {
    fs.writeFileSync(flag, 'ok\n', { mode: 0o644 });
    const script = `test -f ${flag} || exit 3\necho 7\necho "second line: not published"\n`;
    const probe = await create({ script });
    expect(probe.status).toBe(201);
    expect(probe.body).toMatchObject({
      kind: 'script',
      target: 'check',
      language: 'bash',
      script,
    });
    const uses = () =>
      backend.vault.uses.filter(u => u.name === 'probe-ssh').length;
    const taken = uses();
    const up = await metrics(probe.body.id);
    expect(up).toMatch(/^probe_success 1$/m);
    expect(up).toMatch(/^probe_script_value 7$/m);
    expect(up).toMatch(/^probe_script_exit_code 0$/m);
    expect(up).not.toContain('second line');
    fs.rmSync(flag);
    const down = await metrics(probe.body.id);
    expect(down).toMatch(/^probe_success 0$/m);
    expect(down).toMatch(/^probe_script_exit_code 3$/m);
    expect(down).not.toMatch(/probe_script_value/);
    expect(uses()).toBe(taken + 2);
    const use = backend.vault.uses.filter(u => u.name === 'probe-ssh').at(-1);
    expect(use?.use).toMatchObject({
      use: 'ssh-login',
      for: { ref: 'resource:default/app-01' },
    });
    // Prometheus finds it beside the process probes, not in the exporter's
    const sd = await request(backend.server)
      .get('/api/monitoring/probes/process/sd')
      .set('authorization', mockCredentials.service.header());
    expect(
      sd.body.find(
        (g: any) => g.labels.opsdeck_probe === String(probe.body.id),
      ),
    ).toMatchObject({
      targets: ['app-01'],
      labels: { opsdeck_probe_kind: 'script', opsdeck_probe_target: 'check' },
    });
    const modules = JSON.parse(
      fs.readFileSync(path.join(dir, 'blackbox.yml'), 'utf8'),
    ).modules;
    expect(modules[`opsdeck_probe_${probe.body.id}`]).toBeUndefined();
  });

  it("cuts a hostile host's huge or garbage output: only metrics leave, without its text", async () => {
    const huge = await create({
      script: "head -c 3000000 /dev/zero | tr '\\0' 'x'\necho\n",
    });
    const garbage = await create({
      script:
        "printf 'probe_success 1\\n\\033[31mhunter2\\n'\nprintf 'SECRET=hunter2' >&2\n",
    });
    const hang = await create({ script: 'echo 1\nsleep 30', interval: '2s' });
    const started = Date.now();
    const [h, g, t] = [
      await metrics(huge.body.id),
      await metrics(garbage.body.id),
      await metrics(hang.body.id),
    ];
    for (const text of [h, g, t]) {
      expect(text.length).toBeLessThan(1000);
      expect(text).not.toMatch(/xxxx|hunter2/);
      expect(text).not.toContain('\u001b');
      expect(text).not.toMatch(/probe_script_value/);
    }
    expect(h).toMatch(/^probe_success 1$/m);
    expect(g).toMatch(/^probe_success 1$/m);
    // the hanging script is cut at the probe's timeout (within its interval)
    expect(t).toMatch(/^probe_success 0$/m);
    expect(t).not.toMatch(/probe_script_exit_code/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('audits create, edit and delete with the person and the script hash, not the text', async () => {
    const script = 'echo 1 # audited by hash';
    const made = await create({ script });
    expect(made.status).toBe(201);
    const changed = 'echo 2 # audited by hash';
    expect((await edit(made.body.id, { script: changed })).status).toBe(200);
    const gone = await request(backend.server)
      .delete(`/api/monitoring/probes/${made.body.id}`)
      .set('authorization', as('alice'));
    expect(gone.status).toBe(204);
    const events = backend.events.filter(
      e =>
        e.status === 'succeeded' &&
        e.eventId.startsWith('monitoring-probe-') &&
        [e.meta?.probeId, (e.meta?.probe as any)?.id].includes(made.body.id),
    );
    const of = (id: string) => events.find(e => e.eventId === id)!;
    expect(of('monitoring-probe-create').meta).toMatchObject({
      kind: 'script',
      scriptSha256: sha256(script),
      language: 'bash',
    });
    expect(of('monitoring-probe-update').meta).toMatchObject({
      scriptSha256: sha256(changed),
      before: { scriptSha256: sha256(script) },
      after: { scriptSha256: sha256(changed) },
    });
    expect(of('monitoring-probe-delete').meta).toMatchObject({
      probe: { scriptSha256: sha256(changed) },
    });
    for (const e of events) {
      expect(e.actor.actorId).toBe('user:default/alice');
      expect(JSON.stringify(e)).not.toContain('audited by hash');
    }
  });
});
