import type { Entity } from '@backstage/catalog-model';
import { entityLabels, exporterAddress, targetGroups } from './targets';

const entity = (
  name: string,
  spec: NonNullable<Entity['spec']>,
  annotations: Record<string, string> = {},
  namespace = 'default',
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name, namespace, annotations, labels: {} },
  spec,
});

describe('targetGroups', () => {
  const entities = [
    entity('web-01', {
      type: 'host',
      address: '10.0.0.1',
      owner: 'ops',
      system: 'shop',
      environment: 'prod',
    }),
    entity(
      'pay-db',
      {
        type: 'database',
        engine: 'PostgreSQL',
        address: '10.0.0.5',
        owner: 'group:dba',
      },
      { 'opsdeck.io/exporter': '10.0.0.5:9187' },
    ),
    // a database without an exporter is not scraped
    entity('shop-db', { type: 'database', engine: 'mysql', address: 'x' }),
    entity(
      'cache-01',
      { type: 'cache', engine: 'redis', address: '10.0.0.9', owner: 'ops' },
      { 'opsdeck.io/exporter': '9121' },
      'infra',
    ),
  ];

  it('gives one labelled group per host at its node_exporter port', () => {
    expect(targetGroups(entities, 'host', { defaultNodePort: 9100 })).toEqual([
      {
        targets: ['10.0.0.1:9100'],
        labels: {
          opsdeck_entity: 'resource:default/web-01',
          opsdeck_name: 'web-01',
          opsdeck_kind: 'host',
          owner: 'group:default/ops',
          system: 'system:default/shop',
          environment: 'prod',
        },
      },
    ]);
  });

  it('gives databases and caches with an exporter, with their engine', () => {
    expect(
      targetGroups(entities, 'database', { defaultNodePort: 9100 }),
    ).toEqual([
      {
        targets: ['10.0.0.5:9187'],
        labels: expect.objectContaining({
          opsdeck_entity: 'resource:default/pay-db',
          owner: 'group:default/dba',
          engine: 'postgresql',
        }),
      },
    ]);
    expect(targetGroups(entities, 'cache', { defaultNodePort: 9100 })).toEqual([
      {
        targets: ['10.0.0.9:9121'],
        labels: expect.objectContaining({
          opsdeck_entity: 'resource:infra/cache-01',
          owner: 'group:infra/ops',
          engine: 'redis',
        }),
      },
    ]);
  });

  it("gives a queue's rabbitmq_prometheus listener, scraped at its per-object path", () => {
    const queues = [
      ...entities,
      entity(
        'orders-mq',
        {
          type: 'queue',
          engine: 'RabbitMQ',
          address: '10.0.0.7',
          owner: 'ops',
          system: 'shop',
          environment: 'prod',
        },
        { 'opsdeck.io/exporter': '15692' },
      ),
      // a queue without an exporter is not scraped
      entity('jobs-mq', { type: 'queue', engine: 'rabbitmq', address: 'y' }),
    ];
    expect(targetGroups(queues, 'queue', { defaultNodePort: 9100 })).toEqual([
      {
        targets: ['10.0.0.7:15692'],
        labels: {
          opsdeck_entity: 'resource:default/orders-mq',
          opsdeck_name: 'orders-mq',
          opsdeck_kind: 'queue',
          owner: 'group:default/ops',
          system: 'system:default/shop',
          environment: 'prod',
          engine: 'rabbitmq',
          __metrics_path__: '/metrics/per-object',
        },
      },
    ]);
    // the other kinds have no queue, nor a metrics path of their own
    for (const kind of ['host', 'database', 'cache'] as const) {
      for (const group of targetGroups(queues, kind, {
        defaultNodePort: 9100,
      })) {
        expect(group.labels.opsdeck_kind).toBe(kind);
        expect(group.labels.__metrics_path__).toBeUndefined();
      }
    }
  });

  it('narrows by a host selector', () => {
    const hosts = [
      ...entities,
      entity('web-02', {
        type: 'host',
        address: '10.0.0.2',
        owner: 'dev',
        environment: 'staging',
      }),
    ];
    const names = (selector: Record<string, unknown>) =>
      targetGroups(hosts, 'host', { defaultNodePort: 9100, selector }).map(
        g => g.labels.opsdeck_name,
      );
    expect(names({ environment: 'staging' })).toEqual(['web-02']);
    expect(names({ owner: 'ops' })).toEqual(['web-01']);
  });
});

describe('entityLabels', () => {
  it("labels a probed service (a Component) with its ref, owner and system, as a host's", () => {
    // a probe on a service was left out of the probes' discovery (never
    // scraped) when only Resources had labels
    expect(
      entityLabels({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'Shop', namespace: 'default' },
        spec: { type: 'service', owner: 'ops', system: 'payments' },
      }),
    ).toEqual({
      opsdeck_entity: 'component:default/shop',
      opsdeck_name: 'Shop',
      owner: 'group:default/ops',
      system: 'system:default/payments',
    });
  });
});

describe('exporterAddress', () => {
  const host = (address: string, annotation?: string) =>
    entity(
      'h',
      { type: 'host', address },
      annotation === undefined ? {} : { 'opsdeck.io/exporter': annotation },
    );

  it('refuses what is not host:port or a port (no URL, path or query of a hostile entity)', () => {
    for (const bad of [
      'http://attacker/metrics',
      '10.0.0.1:9100/metrics?x=1',
      '10.0.0.1:99999',
      '10.0.0.1 :9100',
      '0',
      'a:b:c',
    ]) {
      expect([
        bad,
        exporterAddress(host('10.0.0.1', bad), 'host', 9100),
      ]).toEqual([bad, undefined]);
    }
    expect(exporterAddress(host('bad/addr'), 'host', 9100)).toBeUndefined();
    expect(
      exporterAddress(host('bad/addr', '9100'), 'host', 9100),
    ).toBeUndefined();
  });

  it('takes host:port, a port on the address, or the default port; brackets IPv6', () => {
    expect(exporterAddress(host('10.0.0.1', 'mon:9200'), 'host', 9100)).toBe(
      'mon:9200',
    );
    expect(exporterAddress(host('10.0.0.1', '9200'), 'host', 9100)).toBe(
      '10.0.0.1:9200',
    );
    expect(exporterAddress(host('fd00::1'), 'host', 9100)).toBe(
      '[fd00::1]:9100',
    );
    // a database has no default exporter port
    expect(
      exporterAddress(
        entity('d', { type: 'database', address: '10.0.0.1' }),
        'database',
        9100,
      ),
    ).toBeUndefined();
  });
});
