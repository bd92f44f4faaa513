import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { OpsdeckResourceProcessor } from './OpsdeckResourceProcessor';

function host(spec: Record<string, unknown> = {}): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'web-01', namespace: 'default' },
    spec: {
      type: 'host',
      owner: 'ops',
      address: '198.51.100.11',
      port: 22,
      loginUser: 'ops',
      credential: 'ops-ssh',
      environment: 'prod',
      ...spec,
    },
  };
}

describe('OpsdeckResourceProcessor', () => {
  const processor = new OpsdeckResourceProcessor();

  it('passes good hosts, databases and caches (without claiming the kind)', async () => {
    for (const entity of [
      host(),
      host({ address: 'web-01.example.com', port: 2222 }),
      host({ address: '2001:db8::11', credential: undefined }),
      host({ port: undefined, loginUser: undefined }),
      {
        ...host(),
        spec: {
          type: 'database',
          owner: 'dba',
          engine: 'postgresql',
          address: 'db.internal',
          port: 5432,
          environment: 'prod',
        },
      },
      {
        ...host(),
        spec: {
          type: 'cache',
          owner: 'ops',
          engine: 'redis',
          address: '192.0.2.3',
        },
      },
    ]) {
      await expect(processor.validateEntityKind(entity)).resolves.toBe(false);
    }
  });

  it('ignores other kinds and resource types', async () => {
    const other: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: { name: 'bucket' },
      spec: { type: 's3-bucket', owner: 'ops', address: 'not an address' },
    };
    await expect(processor.validateEntityKind(other)).resolves.toBe(false);
    await expect(
      processor.validateEntityKind({ ...host(), kind: 'Component' }),
    ).resolves.toBe(false);
  });

  it.each([
    [{ address: '192.0.2.300' }, "invalid address '192.0.2.300'"],
    [{ address: 'bad host!' }, "invalid address 'bad host!'"],
    [{ address: undefined }, "invalid address 'undefined'"],
    [{ port: 0 }, "invalid port '0': expected an integer 1-65535"],
    [{ port: 70000 }, "invalid port '70000'"],
    [{ port: '22' }, "invalid port '22'"],
    [
      { credential: 'Bad Cred/../x' },
      "malformed credential name 'Bad Cred/../x'",
    ],
    [{ environment: 'production' }, "invalid environment 'production'"],
  ])('rejects %j with a clear InputError', async (spec, message) => {
    const result = processor.validateEntityKind(host(spec));
    await expect(result).rejects.toBeInstanceOf(InputError);
    await expect(processor.validateEntityKind(host(spec))).rejects.toThrow(
      `Invalid host Resource:default/web-01: ${message}`,
    );
  });

  it('rejects a database without a valid engine', async () => {
    await expect(
      processor.validateEntityKind({
        ...host(),
        spec: { type: 'database', owner: 'dba', address: 'db1' },
      }),
    ).rejects.toThrow("invalid engine 'undefined'");
  });
});

describe('examples/entities.yaml', () => {
  it('has only valid opsdeck Resources, hosts with address and port in spec', async () => {
    // eslint-disable-next-line @backstage/no-undeclared-imports
    const yaml = require('js-yaml');
    const { readFileSync } = require('node:fs');
    const { resolve } = require('node:path');
    const docs: Entity[] = yaml
      .loadAll(
        readFileSync(
          resolve(__dirname, '../../../../examples/entities.yaml'),
          'utf8',
        ),
      )
      .filter(Boolean);
    const processor = new OpsdeckResourceProcessor();
    const hosts = docs.filter(
      d => d.kind === 'Resource' && d.spec?.type === 'host',
    );
    expect(hosts.length).toBeGreaterThan(0);
    for (const entity of docs) {
      await expect(processor.validateEntityKind(entity)).resolves.toBe(false);
    }
    for (const h of hosts) {
      expect(h.spec).toMatchObject({
        address: expect.any(String),
        port: expect.any(Number),
        environment: h.metadata.labels?.['opsdeck.io/environment'],
      });
    }
  });
});
