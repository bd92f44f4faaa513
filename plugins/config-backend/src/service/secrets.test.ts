import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  eventually,
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { hostEntity, startConfigBackend } from '../__testUtils__/testBackend';

jest.setTimeout(180_000);

// vault references: a secret is written into the pushed file on the real
// sshd host and appears in no API answer and no log line
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const bob = mockCredentials.user.header('user:default/bob');
const alice = mockCredentials.user.header('user:default/alice');
const SECRET = 'Hunter2-s3cr3t-Zq9';
const UP_SECRET = 'Upstr3am-Pw-77Kx';
const LOCKED = 'L0cked-Pw-19Qa';

let sshd: SshdHosts;
let work: string;
beforeAll(async () => {
  sshd = await startSshdHosts(1);
  work = mkdtempSync(join(tmpdir(), 'opsdeck-config-secrets-'));
  chmodSync(work, 0o777);
});
afterAll(async () => {
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each(databases.eachSupportedId())('config secrets on %p', dbId => {
  async function start(
    // bob is in the owner group of the credential, alice (an admin) is not
    passwords: Record<string, { password: string; members: string[] }> = {
      'redis-pass': { password: SECRET, members: ['user:default/bob'] },
      'upstream-pass': { password: UP_SECRET, members: ['user:default/bob'] },
      // nobody may use this one for a config set
      'locked-pass': { password: LOCKED, members: [] },
    },
  ) {
    const knex = await databases.init(dbId);
    return startConfigBackend({
      knex,
      privateKey: sshd.privateKeyText,
      entities: [hostEntity('sec-a', sshd.hosts[0].port)],
      passwords,
    });
  }

  it('pushes the secret to the host and shows it in no answer nor log line', async () => {
    const { server, logLines, vaultUses, audits } = await start();
    const target = join(work, `${dbId}-redis.conf`);
    const answers: string[] = [];
    const call = async (
      method: 'get' | 'post',
      url: string,
      body?: object,
      who = bob,
    ) => {
      const res = await request(server)
        [method](`/api/config${url}`)
        .set('Authorization', who)
        .send(body);
      answers.push(JSON.stringify(res.body));
      return res;
    };
    const set = (
      await call('post', '/sets', {
        name: 'redis-sec',
        kind: 'text',
        owner: 'group:default/ops',
        selector: { names: ['sec-a'] },
        targetPath: target,
      })
    ).body;
    // a clear-text password is refused: it must be a vault reference
    const clear = await call('post', `/sets/${set.id}/versions`, {
      template: 'requirepass {{vars.requirepass}}\n',
      variables: { defaults: { requirepass: 'plain' } },
      message: 'clear',
    });
    expect(clear.status).toBe(400);
    expect(clear.body.error.message).toMatch(
      /defaults\.requirepass.*vault reference/,
    );
    const template = 'port 6379\nrequirepass {{vars.requirepass}}\n';
    expect(
      (
        await call('post', `/sets/${set.id}/versions`, {
          template,
          variables: { defaults: { requirepass: { vault: 'redis-pass' } } },
          message: 'v1',
        })
      ).status,
    ).toBe(201);
    // saving the name takes nothing out of the vault
    expect(vaultUses).toEqual([]);

    const preview = await call('get', `/sets/${set.id}/versions/1/preview`);
    expect(preview.status).toBe(200);
    expect(preview.body.items[0].rendered).toBe(
      'port 6379\nrequirepass ••••\n',
    );

    // alice may push, but is not in the credential's owner group: refused
    // before a release exists, nothing uploaded, audited
    const refused = await call(
      'post',
      `/sets/${set.id}/releases`,
      { version: 1 },
      alice,
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(
      /vault secret 'redis-pass' of sec-a .*config set redis-sec.*user:default\/alice/,
    );
    expect(existsSync(target)).toBe(false);
    expect(
      audits
        .filter(a => a.eventId === 'config-push')
        .map(a => [a.status, a.actor]),
    ).toEqual([['failed', alice]]);
    // nor may she roll back to it: refused before the rollback version is written
    const refusedRollback = await call(
      'post',
      `/sets/${set.id}/rollback`,
      { toVersion: 1 },
      alice,
    );
    expect(refusedRollback.status).toBe(403);
    expect(
      (await call('get', `/sets/${set.id}/versions`)).body.items,
    ).toHaveLength(1);
    expect((await call('get', `/sets/${set.id}/releases`)).body.items).toEqual(
      [],
    );

    const pushed = await call('post', `/sets/${set.id}/releases`, {
      version: 1,
    });
    expect(pushed.status).toBe(201);
    await eventually(async () => {
      const r = await call('get', `/releases/${pushed.body.id}`);
      return r.body.status !== 'running';
    });
    const release = await call('get', `/releases/${pushed.body.id}`);
    expect(release.body.hosts[0]).toMatchObject({ state: 'done' });
    // the file on the real host has the secret
    expect(readFileSync(target, 'utf8')).toBe(
      `port 6379\nrequirepass ${SECRET}\n`,
    );
    expect(vaultUses.at(-1)).toEqual({
      name: 'redis-pass',
      use: {
        use: 'config-secret',
        for: {
          ref: 'config-set:redis-sec',
          owner: 'group:default/ops',
          environment: 'staging',
        },
        actor: 'user:default/bob',
      },
    });

    // the live file now has the secret: previews, diffs and drift show the mask
    await call('post', `/sets/${set.id}/versions`, {
      template: `${template}maxclients 10\n`,
      variables: { defaults: { requirepass: { vault: 'redis-pass' } } },
      message: 'v2',
    });
    const preview2 = await call('get', `/sets/${set.id}/versions/2/preview`);
    expect(preview2.body.items[0].live).toBe('port 6379\nrequirepass ••••\n');
    expect(preview2.body.items[0].diff).toContain('+maxclients 10');
    await call('get', `/sets/${set.id}/diff?from=1&to=2`);
    await call('get', `/sets/${set.id}/versions/1`);
    await call('get', `/sets/${set.id}/versions`);
    // a hand edit: drift shows it, with the secret's line masked
    writeFileSync(target, `port 6380\nrequirepass ${SECRET}\n`, 'utf8');
    const drift = await call('get', `/sets/${set.id}/drift`);
    expect(drift.body.items[0]).toMatchObject({ drifted: true });
    expect(drift.body.items[0].diff).toContain('+port 6380');
    expect(drift.body.items[0].diff).toContain(' requirepass ••••');
    // adopting the hand edit keeps the reference, not the secret (the live
    // file as drift showed it: its digest from drift binds the adoption)
    const adopted = await call('post', `/sets/${set.id}/adopt`, {
      host: 'sec-a',
      liveSha256: drift.body.items[0].liveSha256,
    });
    expect(adopted.status).toBe(201);
    expect(adopted.body.template).toBe(
      'port 6380\nrequirepass {{vars.requirepass}}\n',
    );
    await call('get', `/sets/${set.id}/drift`);
    // a rollback pushes the secret again, for bob
    const rb = await call('post', `/sets/${set.id}/rollback`, {
      toVersion: 1,
    });
    expect(rb.status).toBe(201);
    await eventually(
      () =>
        readFileSync(target, 'utf8') === `port 6379\nrequirepass ${SECRET}\n`,
    );
    await call('get', `/releases/${rb.body.release.id}`);
    await call('get', `/sets/${set.id}/releases`);

    // a validator that prints the staged file (as redis-server prints the
    // offending line) and refuses it: the release's error shows the mask
    const echo = (
      await call('post', '/sets', {
        name: 'echo-sec',
        kind: 'text',
        owner: 'group:default/ops',
        selector: { names: ['sec-a'] },
        targetPath: join(work, `${dbId}-echo.conf`),
        validateCommand: 'cat "$STAGED" >&2; exit 1',
      })
    ).body;
    await call('post', `/sets/${echo.id}/versions`, {
      template,
      variables: { defaults: { requirepass: { vault: 'redis-pass' } } },
      message: 'v1',
    });
    const invalid = await call('post', `/sets/${echo.id}/releases`, {
      version: 1,
    });
    await eventually(async () => {
      const r = await call('get', `/releases/${invalid.body.id}`);
      return r.body.status !== 'running';
    });
    const refusedHost = (await call('get', `/releases/${invalid.body.id}`)).body
      .hosts[0];
    expect(refusedHost.state).toBe('invalid');
    expect(refusedHost.error).toContain('requirepass ••••');
    // the release's content hash is of the file as shown, not one to guess the secret with
    expect(refusedHost.contentSha256).toBe(
      createHash('sha256')
        .update(`${template.replace('{{vars.requirepass}}', '••••')}`)
        .digest('hex'),
    );

    for (const answer of answers) expect(answer).not.toContain(SECRET);
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(line).not.toContain(SECRET);
  });

  it('does not adopt a value typed by hand where a vault secret stands', async () => {
    const { server } = await start();
    const target = join(work, `${dbId}-hand.conf`);
    const HAND = 'Hand-rotated-Pw-4411';
    const call = (method: 'get' | 'post', url: string, body?: object) =>
      request(server)
        [method](`/api/config${url}`)
        .set('Authorization', bob)
        .send(body);
    const set = (
      await call('post', '/sets', {
        name: 'redis-hand',
        kind: 'text',
        owner: 'group:default/ops',
        selector: { names: ['sec-a'] },
        targetPath: target,
      })
    ).body;
    await call('post', `/sets/${set.id}/versions`, {
      template: 'port 6379\nrequirepass {{vars.requirepass}}\n',
      variables: { defaults: { requirepass: { vault: 'redis-pass' } } },
      message: 'v1',
    });
    const pushed = await call('post', `/sets/${set.id}/releases`, {
      version: 1,
    });
    expect(pushed.status).toBe(201);
    await eventually(async () => {
      const r = await call('get', `/releases/${pushed.body.id}`);
      return r.body.status !== 'running';
    });
    expect(readFileSync(target, 'utf8')).toBe(
      `port 6379\nrequirepass ${SECRET}\n`,
    );
    // an emergency edit on the host: another password where the secret was,
    // and the pushed secret copied to a comment line
    writeFileSync(
      target,
      `port 6380\nrequirepass ${HAND}\n# was ${SECRET}\n`,
      'utf8',
    );
    const drift = await call('get', `/sets/${set.id}/drift`);
    // the edit of the secret's line shows, without the value typed there;
    // the pushed secret is masked wherever it stands (the baseline's marks)
    expect(drift.body.items[0].diff).toContain('-requirepass ••••\n');
    expect(drift.body.items[0].diff).toContain('+requirepass ••••(edited)');
    expect(drift.body.items[0].diff).toContain('+# was ••••');
    expect(JSON.stringify(drift.body)).not.toContain(HAND);
    expect(JSON.stringify(drift.body)).not.toContain(SECRET);
    // nor a hash of bytes that hold a secret (one to guess a weak secret
    // against offline): not of the file pushed, not of the live file
    const sha = (t: string) => createHash('sha256').update(t).digest('hex');
    for (const bytes of [
      `port 6379\nrequirepass ${SECRET}\n`,
      `port 6380\nrequirepass ${HAND}\n# was ${SECRET}\n`,
    ]) {
      expect(JSON.stringify(drift.body)).not.toContain(sha(bytes));
    }
    // so does the preview's live file
    const preview = await call('get', `/sets/${set.id}/versions/1/preview`);
    expect(preview.body.items[0].live).toContain('# was ••••');
    expect(JSON.stringify(preview.body)).not.toContain(SECRET);
    expect(JSON.stringify(preview.body)).not.toContain(HAND);
    // adopting it would store that password in clear in a version every
    // config reader sees: refused, nothing stored
    const adopted = await call('post', `/sets/${set.id}/adopt`, {
      host: 'sec-a',
    });
    expect(adopted.status).toBe(400);
    expect(adopted.body.error.message).toContain('requirepass ••••');
    expect(JSON.stringify(adopted.body)).not.toContain(HAND);
    const versions = await call('get', `/sets/${set.id}/versions`);
    expect(versions.body.items.map((v: any) => v.version)).toEqual([1]);
    expect(JSON.stringify(versions.body)).not.toContain(HAND);
  });

  // the vault credential rotated after the push: the secret pushed then is
  // no longer the vault's, yet the live file may still hold it (a comment
  // kept by hand); drift masks it by the baseline's marks, adoption must
  // not store it in clear in a version (nor show it in a ticket)
  it('does not adopt a live file that still holds a secret pushed before the vault rotated it', async () => {
    const ROTATED = 'R0tated-Pw-5521';
    const passwords = {
      'redis-pass': { password: SECRET, members: ['user:default/bob'] },
    };
    const { server } = await start(passwords);
    const target = join(work, `${dbId}-rotated.conf`);
    const call = (method: 'get' | 'post', url: string, body?: object) =>
      request(server)
        [method](`/api/config${url}`)
        .set('Authorization', bob)
        .send(body);
    const set = (
      await call('post', '/sets', {
        name: 'redis-rotated',
        kind: 'text',
        owner: 'group:default/ops',
        selector: { names: ['sec-a'] },
        targetPath: target,
      })
    ).body;
    await call('post', `/sets/${set.id}/versions`, {
      template: 'port 6379\nrequirepass {{vars.requirepass}}\n',
      variables: { defaults: { requirepass: { vault: 'redis-pass' } } },
      message: 'v1',
    });
    const pushed = await call('post', `/sets/${set.id}/releases`, {
      version: 1,
    });
    expect(pushed.status).toBe(201);
    await eventually(async () => {
      const r = await call('get', `/releases/${pushed.body.id}`);
      return r.body.status !== 'running';
    });
    expect(readFileSync(target, 'utf8')).toBe(
      `port 6379\nrequirepass ${SECRET}\n`,
    );
    // rotated in the vault; on the host the new one typed in, the old kept
    passwords['redis-pass'].password = ROTATED;
    writeFileSync(
      target,
      `port 6379\nrequirepass ${ROTATED}\n# old ${SECRET}\n`,
      'utf8',
    );
    const drift = await call('get', `/sets/${set.id}/drift`);
    expect(drift.body.items[0].diff).toContain('+# old ••••');
    const adopted = await call('post', `/sets/${set.id}/adopt`, {
      host: 'sec-a',
    });
    expect(adopted.status).toBe(400);
    expect(JSON.stringify(adopted.body)).not.toContain(SECRET);
    const versions = await call('get', `/sets/${set.id}/versions`);
    expect(JSON.stringify(versions.body)).not.toContain(SECRET);
    expect(versions.body.items.map((v: any) => v.version)).toEqual([1]);
  });

  it('resolves vault references nested in objects and lists at push, for the pusher, and refuses one they may not use', async () => {
    const { server, logLines, vaultUses, audits } = await start();
    const target = join(work, `${dbId}-nested.conf`);
    const answers: string[] = [];
    const call = async (method: 'get' | 'post', url: string, body?: object) => {
      const res = await request(server)
        [method](`/api/config${url}`)
        .set('Authorization', bob)
        .send(body);
      answers.push(JSON.stringify(res.body));
      return res;
    };
    const set = (
      await call('post', '/sets', {
        name: 'nested-sec',
        kind: 'text',
        owner: 'group:default/ops',
        selector: { names: ['sec-a'] },
        targetPath: target,
      })
    ).body;
    const template =
      '{{#each vars.upstreams}}server {{this.host}} auth={{this.auth}}\n{{/each}}masterauth {{vars.replica.auth}}\n';
    const variables = (replicaAuth: string) => ({
      environments: {
        staging: {
          upstreams: [
            { host: 'a', auth: { vault: 'upstream-pass' } },
            { host: 'b', auth: 'none' },
          ],
        },
      },
      hosts: { 'sec-a': { replica: { auth: { vault: replicaAuth } } } },
    });
    // a clear secret nested in a list is refused as at the top
    const clear = await call('post', `/sets/${set.id}/versions`, {
      template,
      variables: { defaults: { upstreams: [{ host: 'a', password: 'x' }] } },
      message: 'clear',
    });
    expect(clear.status).toBe(400);
    expect(clear.body.error.message).toMatch(/upstreams\.0\.password/);
    expect(
      (
        await call('post', `/sets/${set.id}/versions`, {
          template,
          variables: variables('redis-pass'),
          message: 'v1',
        })
      ).status,
    ).toBe(201);
    // stored as references, never rendered; previews show the mask
    expect(vaultUses).toEqual([]);
    const preview = await call('get', `/sets/${set.id}/versions/1/preview`);
    expect(preview.body.items[0].rendered).toBe(
      'server a auth=••••\nserver b auth=none\nmasterauth ••••\n',
    );
    const pushed = await call('post', `/sets/${set.id}/releases`, {
      version: 1,
    });
    expect(pushed.status).toBe(201);
    await eventually(async () => {
      const r = await call('get', `/releases/${pushed.body.id}`);
      return r.body.status !== 'running';
    });
    expect(readFileSync(target, 'utf8')).toBe(
      `server a auth=${UP_SECRET}\nserver b auth=none\nmasterauth ${SECRET}\n`,
    );
    // each taken out for bob, for this set and the host's environment
    expect(
      vaultUses.map(u => [u.name, (u.use as any).actor, (u.use as any).for]),
    ).toEqual(
      expect.arrayContaining([
        [
          'upstream-pass',
          'user:default/bob',
          {
            ref: 'config-set:nested-sec',
            owner: 'group:default/ops',
            environment: 'staging',
          },
        ],
        [
          'redis-pass',
          'user:default/bob',
          expect.objectContaining({ ref: 'config-set:nested-sec' }),
        ],
      ]),
    );
    // a hand edit adopted: the nested references are written back by path
    writeFileSync(
      target,
      `server a auth=${UP_SECRET}\nserver b auth=none\nmasterauth ${SECRET}\n# edited\n`,
    );
    const drift = await call('get', `/sets/${set.id}/drift`);
    expect(drift.body.items[0].drifted).toBe(true);
    const adopted = await call('post', `/sets/${set.id}/adopt`, {
      host: 'sec-a',
    });
    expect(adopted.status).toBe(201);
    expect(adopted.body.template).toBe(
      'server a auth={{vars.upstreams.[0].auth}}\nserver b auth=none\nmasterauth {{vars.replica.auth}}\n# edited\n',
    );

    // a nested reference bob may not use: refused before a release exists
    await call('post', `/sets/${set.id}/versions`, {
      template,
      variables: variables('locked-pass'),
      message: 'locked',
    });
    const before = readFileSync(target, 'utf8');
    const refused = await call('post', `/sets/${set.id}/releases`, {
      version: 3,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(
      /vault secret 'locked-pass' of sec-a .*config set nested-sec/,
    );
    expect(readFileSync(target, 'utf8')).toBe(before);
    expect(
      (await call('get', `/sets/${set.id}/releases`)).body.items,
    ).toHaveLength(1);
    expect(
      audits.filter(a => a.eventId === 'config-push').map(a => a.status),
    ).toEqual(['succeeded', 'failed']);

    for (const answer of answers) {
      expect(answer).not.toContain(UP_SECRET);
      expect(answer).not.toContain(SECRET);
      expect(answer).not.toContain(LOCKED);
    }
    for (const line of logLines) {
      expect(line).not.toContain(UP_SECRET);
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain(LOCKED);
    }
  });
});
