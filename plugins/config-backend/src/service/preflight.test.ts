import type { HostTarget } from '@opsdeck/plugin-cmdb-common';
import type { ConfigSet, ConfigVersion } from '@opsdeck/plugin-config-common';
import { preflight } from './preflight';

// A push whose rendering does not parse is refused before any host with the
// parser's reason; the parsers quote the text around the error (JSON a few
// characters, YAML the line cut at 80 with `…`), so a vault secret can stand
// there cut in part, which whole-value masking does not find. The person
// pushing may use the secret (vault use config-secret) without reading it.
describe('preflight refusals', () => {
  const secret = 'S3cretPassw0rd!xyz';
  const host = {
    name: 'db1',
    entityRef: 'resource:default/db1',
    address: '10.0.0.1',
    port: 22,
    environment: 'prod',
    tags: [],
  } as unknown as HostTarget;

  const refusal = async (kind: 'json' | 'yaml', template: string) => {
    const error = await preflight({
      set: { kind } as ConfigSet,
      version: {
        template,
        variables: { defaults: { password: { vault: 'db-root' } } },
      } as unknown as ConfigVersion,
      hosts: [host],
      facts: new Map(),
      secrets: new Map([[host.entityRef, new Map([['db-root', secret]])]]),
      sshTargets: () => async () => ({} as any),
      actor: 'user:default/dev',
    }).then(
      () => undefined,
      e => e as Error,
    );
    expect(error?.message).toMatch(/^Not pushed .*db1: Not valid/);
    return error!;
  };

  const leaks = (error: Error) => {
    const text = JSON.stringify({ ...error, message: error.message });
    // any 4 characters of the secret in a row
    return [...Array(secret.length - 3).keys()]
      .map(i => secret.slice(i, i + 4))
      .filter(part => text.includes(part));
  };

  it('a JSON refusal quotes no part of a secret', async () => {
    const error = await refusal(
      'json',
      '{"aaaaaaaaaaaaaaaaaaaaa": 1, "a": {{vars.password}} }',
    );
    expect(leaks(error)).toEqual([]);
  });

  it('a YAML refusal quotes no part of a secret', async () => {
    const error = await refusal(
      'yaml',
      `a: 1\n${'k'.repeat(70)}: [{{vars.password}}\n`,
    );
    expect(leaks(error)).toEqual([]);
  });

  it('still says where the rendering does not parse', async () => {
    const error = await refusal('yaml', 'a: 1\nb: [1\n');
    expect(error.message).toMatch(/line \d+/);
  });
});
