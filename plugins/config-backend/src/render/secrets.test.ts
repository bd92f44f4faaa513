import type { HostTarget } from '@opsdeck/plugin-cmdb-common';
import { compileTemplate, renderContext } from './render';
import {
  checkVariables,
  clearSecrets,
  looksSecret,
  maskLive,
  maskSecrets,
  vaultNames,
  vaultRefs,
  verbatimWithSecrets,
} from './secrets';
import { maskDrift, secretMarks } from './secretMarks';

const host: HostTarget = {
  name: 'r1',
  entityRef: 'resource:default/r1',
  address: '10.0.0.1',
  port: 22,
  environment: 'prod',
  tags: [],
} as unknown as HostTarget;

describe('config secrets', () => {
  it('names that look like secrets', () => {
    for (const name of [
      'password',
      'requirepass',
      'masterauth',
      'dbPassword',
      'db_passwd',
      'api-key',
      'apiKey',
      'authToken',
      'client_secret',
      'SECRET',
    ]) {
      expect([name, looksSecret(name)]).toEqual([name, true]);
    }
    for (const name of [
      'proxy_pass',
      'keepalive',
      'keyfile_path',
      'port',
      'monkey_count',
      'tokenizer',
    ]) {
      expect([name, looksSecret(name)]).toEqual([name, false]);
    }
  });

  it('refuses clear secrets in every scope, and malformed references', () => {
    expect(() =>
      checkVariables({ environments: { prod: { requirepass: 'x' } } }),
    ).toThrow(/environments\.prod\.requirepass.*vault reference/);
    expect(() => checkVariables({ hosts: { r1: { apiToken: 'x' } } })).toThrow(
      /hosts\.r1\.apiToken/,
    );
    expect(() =>
      checkVariables({ defaults: { port: { vault: 'a', extra: 1 } } }),
    ).toThrow(/vault reference is/);
    expect(() =>
      checkVariables({
        defaults: { requirepass: { vault: 'redis-pass' }, port: 6379 },
      }),
    ).not.toThrow();
    expect(clearSecrets({ defaults: { requirepass: '' } })).toEqual([]);
  });

  // nesting (vault references in objects and lists) must not become a way
  // around the refusal: under a secret-looking name, every value in clear is
  // a clear secret, whatever its own member name
  it('refuses clear values nested under a secret-looking name', () => {
    expect(
      clearSecrets({
        defaults: {
          requirepass: { value: 'hunter2' },
          apiToken: { prod: 'tok-1', staging: { vault: 'tok-staging' } },
          upstreams: [{ host: 'a', clientSecret: { current: 'c1' } }],
        },
        hosts: { r1: { client_secret: [['s1']] } },
      }),
    ).toEqual([
      'defaults.requirepass.value',
      'defaults.apiToken.prod',
      'defaults.upstreams.0.clientSecret.current',
      'hosts.r1.client_secret.0.0',
    ]);
    expect(() =>
      checkVariables({ defaults: { password: { current: 'hunter2' } } }),
    ).toThrow(/defaults\.password\.current/);
    // not the scope's own names (a host called secret-box), not references
    expect(
      clearSecrets({
        hosts: { 'secret-box': { port: 1 } },
        defaults: { apiToken: { prod: { vault: 'tok' } } },
      }),
    ).toEqual([]);
  });

  it('renders the mask in previews and the secret only when given', () => {
    const render = compileTemplate('requirepass {{vars.requirepass}}\n');
    const variables = { defaults: { requirepass: { vault: 'redis-pass' } } };
    expect(render(renderContext(variables, host))).toBe('requirepass ••••\n');
    expect(
      render(
        renderContext(
          variables,
          host,
          {},
          new Map([['redis-pass', 'hunter2']]),
        ),
      ),
    ).toBe('requirepass hunter2\n');
  });

  it('masks the secret lines of a live file from the masked rendering', () => {
    const live = 'port 1\nrequirepass hunter2\nauth "u:hunter2" x\n';
    expect(
      maskLive(live, ['port 2\nrequirepass ••••\nauth "u:••••" x\n']),
    ).toBe('port 1\nrequirepass ••••\nauth "u:••••" x\n');
    expect(maskLive(live, [undefined])).toBe(live);
    expect(maskSecrets('a hunter2 b hunter2', ['hunter2'])).toBe(
      'a •••• b ••••',
    );
  });

  it('turns secrets of an adopted file back into their variables', () => {
    const template = verbatimWithSecrets(
      'server { pass hunter2; }\nrequirepass hunter2\n',
      new Map([['hunter2', 'requirepass']]),
    );
    expect(template).not.toContain('hunter2');
    const render = compileTemplate(template);
    expect(render({ vars: { requirepass: 'hunter2' } } as any)).toBe(
      'server { pass hunter2; }\nrequirepass hunter2\n',
    );
  });

  it('vault references nested in objects and lists: named, masked, resolved, checked', () => {
    const variables = {
      environments: {
        prod: {
          upstreams: [
            { host: 'a', auth: { vault: 'up-a' } },
            { host: 'b', auth: { vault: 'up-b' } },
          ],
          replica: {
            masterauth: { vault: 'rep' },
            'odd-key': { vault: 'odd' },
          },
        },
      },
    };
    const vars = { ...variables.environments.prod };
    expect(vaultNames(vars).sort()).toEqual(['odd', 'rep', 'up-a', 'up-b']);
    expect(vaultRefs(vars)).toContainEqual({
      name: 'up-b',
      path: 'vars.upstreams.[1].auth',
    });
    expect(vaultRefs(vars)).toContainEqual({
      name: 'odd',
      path: 'vars.replica.[odd-key]',
    });
    const render = compileTemplate(
      '{{#each vars.upstreams}}{{this.host}}={{this.auth}};{{/each}}{{vars.replica.masterauth}}\n',
    );
    // previews: the mask, never the reference's secret
    expect(render(renderContext(variables, host))).toBe('a=••••;b=••••;••••\n');
    const secrets = new Map([
      ['up-a', 's-a'],
      ['up-b', 's-b'],
      ['rep', 's-r'],
    ]);
    expect(render(renderContext(variables, host, {}, secrets))).toBe(
      'a=s-a;b=s-b;s-r\n',
    );
    // written back by their paths when a live file is adopted
    const template = verbatimWithSecrets(
      'x s-b y s-r\n',
      new Map([
        ['s-b', 'upstreams.[1].auth'],
        ['s-r', 'replica.masterauth'],
      ]),
    );
    expect(template).toBe(
      'x {{vars.upstreams.[1].auth}} y {{vars.replica.masterauth}}\n',
    );
    expect(
      compileTemplate(template)(renderContext(variables, host, {}, secrets)),
    ).toBe('x s-b y s-r\n');
    // clear secrets and malformed references nested are refused too
    expect(() =>
      checkVariables({
        defaults: { upstreams: [{ host: 'a', password: 'plain' }] },
      }),
    ).toThrow(/defaults\.upstreams\.0\.password.*vault reference/);
    expect(() =>
      checkVariables({ defaults: { tokens: ['plain'] } }),
    ).not.toThrow();
    expect(() => checkVariables({ defaults: { apiToken: ['plain'] } })).toThrow(
      /defaults\.apiToken\.0/,
    );
    expect(() =>
      checkVariables({
        hosts: { r1: { replica: { auth: { vault: 'rep', x: 1 } } } },
      }),
    ).toThrow(/hosts\.r1\.replica\.auth: a vault reference is/);
    expect(() => checkVariables(variables)).not.toThrow();
  });

  // a hostile host's live line against a masked line with two or more
  // secrets: as a regular expression (`a[\s\S]*b[\s\S]*c`) it backtracks
  // quadratically (minutes for a 1 MiB line, the event loop blocked); matched
  // part by part it is one pass
  it('matches a live line against a masked line in one pass', () => {
    const patterns = ['url = https://••••:••••@db\n'];
    const hostile = `url = https://${':'.repeat(20_000)}`;
    // no regular expression is built from a masked line (it would
    // backtrack on the hostile line: 28 s for 200 000 characters)
    const built = jest.spyOn(globalThis, 'RegExp');
    try {
      expect(maskLive(`${hostile}\nport 1`, patterns)).toBe(
        `${hostile}\nport 1`,
      );
      expect(
        maskDrift(`${hostile}\n`, patterns[0], secretMarks(['Zq9-secret'])),
      ).toBe(`${hostile}\n`);
      expect(built).not.toHaveBeenCalled();
    } finally {
      built.mockRestore();
    }
    expect(maskLive('url = https://u:p@db\nport 1', patterns)).toBe(
      'url = https://••••:••••@db\nport 1',
    );
    // prefix and suffix may not overlap; the middle part stands between
    expect(maskLive('url = https://@db', patterns)).toBe('url = https://@db');
    expect(maskLive('url = https://:@db', patterns)).toBe(
      'url = https://••••:••••@db',
    );
    expect(maskLive('ab', ['ab••••b'])).toBe('ab');
    expect(maskLive('abb', ['ab••••b'])).toBe('ab••••b');
  });
});
