import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import request from 'supertest';
import { AmqpConnection } from '../__testUtils__/amqp';
import {
  SD_TOKEN,
  startMonitoringBackend,
  type MonitoringBackend,
} from '../__testUtils__/testBackend';
import {
  activeTargets,
  eventually,
  instantQuery,
  startPrometheus,
  testRabbitmq,
  type RunningServer,
} from '../__testUtils__/servers';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);

const REF = 'resource:default/orders-mq';

function resource(
  name: string,
  type: string,
  engine: string,
  exporter: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, annotations: { 'opsdeck.io/exporter': exporter } },
    spec: {
      type,
      engine,
      address: '127.0.0.1',
      owner: 'ops',
      system: 'storefront',
      environment: 'prod',
    },
  };
}

const path = (name: string) =>
  `/api/monitoring/entities/resource/default/${name}/panels?range=1h`;

// A queue's monitoring end to end: a real RabbitMQ (scripts/services/rabbitmq.sh,
// OPSDECK_TEST_RABBITMQ_URL; unset fails) with its rabbitmq_prometheus plugin,
// found by a real Prometheus through opsdeck's HTTP SD from the catalog,
// messages published and consumed over AMQP, and the queue tab's panels.
describe('message queue monitoring (RabbitMQ)', () => {
  let sd: MonitoringBackend;
  let backend: MonitoringBackend;
  let prometheus: RunningServer;
  let amqp: AmqpConnection;
  // this run's queues (exclusive: deleted with the connection)
  const queue = `opsdeck-orders-${process.pid}-${Date.now()}`;
  const ratesQueue = `${queue}-rates`;

  beforeAll(async () => {
    const rabbit = testRabbitmq();
    const entities = [
      resource('orders-mq', 'queue', 'rabbitmq', rabbit.metrics),
      resource('secret-mq', 'queue', 'rabbitmq', rabbit.metrics),
      // engines of other types are not a queue's, nor the other way round
      resource('odd-mq', 'queue', 'redis', rabbit.metrics),
      resource('odd-cache', 'cache', 'rabbitmq', rabbit.metrics),
    ];
    sd = await startMonitoringBackend({
      knex: await databases.init('SQLITE_3'),
      entities: entities.slice(0, 1),
      realAuth: true,
    });
    prometheus = await startPrometheus(`
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: opsdeck-queues
    http_sd_configs:
      - url: ${sd.url}/sd/queue
        refresh_interval: 2s
        authorization:
          type: Bearer
          credentials: ${SD_TOKEN}
`);
    backend = await startMonitoringBackend({
      knex: await databases.init('SQLITE_3'),
      entities,
      monitoring: { prometheus: { url: prometheus.url } },
      // the catalog hides secret-mq from alice
      visibleTo: (user, entity) =>
        !(
          user === 'user:default/alice' && entity.metadata.name === 'secret-mq'
        ),
    });
    amqp = await AmqpConnection.connect(rabbit.amqpUrl);
    await amqp.declareQueue(queue, { exclusive: true });
    await amqp.declareQueue(ratesQueue, { exclusive: true });
    for (let i = 0; i < 7; i++) amqp.publish(queue, `order ${i}`);
    // a consumer that never acks: 2 unacked, 5 ready
    await amqp.consume(queue, 2);
    await eventually(async () => {
      const q = await amqp.declareQueue(queue, { passive: true });
      return q.messages === 5 && q.consumers === 1 ? q : undefined;
    }, 'the broker to hold 5 ready messages and a consumer');
  });

  afterAll(async () => {
    await amqp?.close();
    await backend?.stop();
    await prometheus?.stop();
    await sd?.stop();
  });

  it('is discovered from the catalog, scraped at /metrics/per-object, and its ready count is in PromQL', async () => {
    const target = await eventually(async () => {
      const targets = await activeTargets(prometheus.url);
      return targets.find(
        t => t.labels.opsdeck_entity === REF && t.health === 'up',
      );
    }, 'orders-mq scraped and up');
    expect(target.labels).toMatchObject({
      job: 'opsdeck-queues',
      opsdeck_kind: 'queue',
      opsdeck_name: 'orders-mq',
      engine: 'rabbitmq',
      owner: 'group:default/ops',
      system: 'system:default/storefront',
      environment: 'prod',
    });
    expect(target.scrapeUrl).toMatch(/\/metrics\/per-object$/);
    const ready = await eventually(async () => {
      const result = await instantQuery(
        prometheus.url,
        `rabbitmq_queue_messages_ready{opsdeck_entity="${REF}",queue="${queue}"}`,
      );
      return result[0]?.value === '5' ? result : undefined;
    }, 'the queue ready count in Prometheus');
    expect(ready).toHaveLength(1);
    expect(ready[0].metric).toMatchObject({
      vhost: '/',
      owner: 'group:default/ops',
    });
  });

  it("charts the queue's messages, depth, consumers, rates, connections and up", async () => {
    const last = (panel: any, series: string) =>
      panel.series.find((s: any) => s.name === series)?.points.at(-1)?.[1];
    const p = await eventually(async () => {
      // publishes while waiting: a publish rate above 0
      amqp.publish(ratesQueue, 'tick');
      const res = await request(backend.server)
        .get(path('orders-mq'))
        .set('authorization', as('dave'));
      expect(res.status).toBe(200);
      const byId = Object.fromEntries(
        res.body.panels.map((panel: any) => [panel.id, panel]),
      );
      return last(byId.messages, 'unacked') >= 2 &&
        last(byId.queueDepth, queue) === 5 &&
        last(byId.messageRates, 'publish') > 0 &&
        last(byId.connections, 'connections') >= 1 &&
        last(byId.consumers, 'consumers') >= 1
        ? byId
        : undefined;
    }, 'panels of orders-mq');
    expect(Object.keys(p)).toEqual([
      'messages',
      'queueDepth',
      'consumers',
      'messageRates',
      'connections',
      'up',
    ]);
    expect(p.messages.series.map((s: any) => s.name)).toEqual([
      'ready',
      'unacked',
    ]);
    expect(last(p.messages, 'ready')).toBeGreaterThanOrEqual(5);
    expect(p.messageRates.unit).toBe('perSecond');
    expect(p.messageRates.series.map((s: any) => s.name)).toEqual([
      'publish',
      'deliver',
    ]);
    expect(last(p.up, 'up')).toBe(1);
  });

  it('checks the permission and the catalog, and knows only rabbitmq queues', async () => {
    const status = async (name: string, user: string) =>
      (
        await request(backend.server)
          .get(path(name))
          .set('authorization', as(user))
      ).status;
    expect(await status('orders-mq', 'erin')).toBe(403);
    expect(await status('secret-mq', 'alice')).toBe(404);
    expect(await status('secret-mq', 'dave')).toBe(200);
    expect(await status('odd-mq', 'dave')).toBe(400);
    expect(await status('odd-cache', 'dave')).toBe(400);
  });
});
