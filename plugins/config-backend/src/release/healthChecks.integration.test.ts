import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  bob,
  configService,
  configTestEnv,
  testHosts,
} from '../__testUtils__/configTestKit';

jest.setTimeout(120_000);

// A script health check runs in a shell on the host. The values it names
// (host facts from the catalog, variables) are data: each reaches the shell
// as one word, never as shell code.
const env = configTestEnv(1, 'opsdeck-config-health-');

describe('health checks on a real host', () => {
  it('passes host facts and variables to the shell as single words', async () => {
    const pwned = join(env.work, 'pwned-by-system');
    const pwnedToo = join(env.work, 'pwned-by-variable');
    const seen = join(env.work, 'seen.txt');
    // a hostile catalog entity: spec.system is any string
    const hosts = testHosts(env).map(h => ({
      ...h,
      system: `shop; touch ${pwned}`,
    }));
    const { service } = await configService(env, hosts);
    const set = await service.createSet(
      {
        name: 'health-script',
        kind: 'text',
        owner: 'group:default/ops',
        selector: { tags: ['web'] },
        targetPath: join(env.work, 'app.txt'),
        healthCheck: {
          type: 'script',
          command: `printf '%s\\n' {{host.system}} {{vars.note}} > ${seen}`,
        },
      },
      bob,
    );
    const v = await service.saveVersion(
      set.id,
      {
        template: 'hello\n',
        variables: { defaults: { note: `$(touch ${pwnedToo})` } },
        message: 'first',
      },
      bob,
    );
    const { release, done } = await service.push(
      set.id,
      { version: v.version },
      bob,
    );
    await done;
    const r = (await service.store.getRelease(release.id))!;
    expect(r.hosts.map(h => [h.state, h.error])).toEqual([['done', undefined]]);
    expect(existsSync(pwned)).toBe(false);
    expect(existsSync(pwnedToo)).toBe(false);
    expect(readFileSync(seen, 'utf8')).toBe(
      `shop; touch ${pwned}\n$(touch ${pwnedToo})\n`,
    );
  });

  it('refuses a value placed where the shell would read it as code', async () => {
    const { service } = await configService(env, testHosts(env));
    const base = {
      kind: 'text' as const,
      owner: 'group:default/ops',
      selector: { tags: ['web'] },
      targetPath: join(env.work, 'other.txt'),
    };
    for (const [i, command] of [
      // inside double quotes $(…) still runs
      'curl -fsS "http://{{host.address}}/health"',
      // inside single quotes the quoting of the value would end the string
      "echo '{{vars.note}}'",
      // an unquoted here-document expands $(…)
      'cat <<EOF\n{{vars.note}}\nEOF',
      // a comment ends at a newline in the value, quotes or not
      'true # {{vars.note}}',
      'true\n#{{vars.note}}',
      // helpers and blocks decide what ends up in the script
      '{{#if vars.x}}rm -rf /{{/if}}',
    ].entries()) {
      await expect(
        service.createSet(
          {
            ...base,
            name: `bad-health-${i}`,
            healthCheck: { type: 'script', command },
          },
          bob,
        ),
      ).rejects.toThrow(/health-check command/);
    }
  });

  it('probes the pushed host only, never another address from the backend', async () => {
    // an internal service the backend can reach; the host is 127.0.0.1
    const asked: string[] = [];
    const internal: Server = createServer((req, res) => {
      asked.push(req.url ?? '');
      res.end('internal secret');
    });
    await new Promise<void>(r => internal.listen(0, '127.0.0.2', r));
    const port = (internal.address() as AddressInfo).port;
    try {
      const { service } = await configService(env, testHosts(env));
      for (const [i, healthCheck] of [
        {
          type: 'http' as const,
          url: `http://127.0.0.2:${port}/admin`,
          expectBody: 'secret',
        },
        { type: 'tcp' as const, address: `127.0.0.2:${port}` },
      ].entries()) {
        const set = await service.createSet(
          {
            name: `probe-elsewhere-${i}`,
            kind: 'text',
            owner: 'group:default/ops',
            selector: { tags: ['web'] },
            targetPath: join(env.work, `probe-${i}.txt`),
            healthCheck,
          },
          bob,
        );
        const v = await service.saveVersion(
          set.id,
          { template: 'x\n', variables: {}, message: 'x' },
          bob,
        );
        const { release, done } = await service.push(
          set.id,
          { version: v.version },
          bob,
        );
        await done;
        const r = (await service.store.getRelease(release.id))!;
        expect(r.hosts[0].state).toBe('reverted');
        expect(r.hosts[0].error).toMatch(/not the host/);
      }
      expect(asked).toEqual([]);
    } finally {
      internal.closeAllConnections();
      await new Promise(r => internal.close(r));
    }
  });
});
