import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { BSON } from 'mongodb';
import { DEFAULT_MASKING_RULES, Masker } from '../console/masking';
import type { QueryLogEntry, SqlStore } from '../database/SqlStore';
import { Actor, SqlService } from '../service/SqlService';
import {
  MongoWireServer,
  startMongoWireServer,
} from '../__testUtils__/mongoWireServer';
import { mongoReadOnlyQuery, parseMongoRead } from './mongodb';

jest.setTimeout(60_000);

// No MongoDB server can run here: these tests drive the official driver
// against a wire-protocol server written for the tests
// (__testUtils__/mongoWireServer.ts), and check what the driver sent.
const CUSTOMERS = [1, 2, 3, 4, 5].map(i => ({
  _id: new BSON.ObjectId(`65f0000000000000000000${String(i).padStart(2, '0')}`),
  name: `customer ${i}`,
  city: i === 5 ? 'Paris' : 'Berlin',
  phone: `1380013800${i}`,
  contact: { email: `c${i}@example.com`, since: 2020 + i },
}));

let mongo: MongoWireServer;
beforeAll(async () => {
  mongo = await startMongoWireServer({
    collections: { 'shop.customers': CUSTOMERS },
    batchSize: 2,
  });
});
afterAll(async () => {
  await mongo?.close();
});
beforeEach(() => {
  mongo.commands.length = 0;
});

const target = () => ({
  host: '127.0.0.1',
  port: mongo.port,
  user: 'root',
  database: 'shop',
});
const sent = (name: string) => mongo.commands.filter(c => name in c);

describe('parseMongoRead', () => {
  it('takes find and aggregate in the shape of the server commands', () => {
    expect(
      parseMongoRead(
        '{"find": "customers", "filter": {"city": "Berlin"}, "sort": {"name": 1}, "limit": 5}',
      ),
    ).toEqual({
      kind: 'find',
      collection: 'customers',
      filter: { city: 'Berlin' },
      sort: { name: 1 },
      limit: 5,
      projection: undefined,
      skip: undefined,
    });
    expect(
      parseMongoRead(
        '{"aggregate": "orders", "pipeline": [{"$match": {"paid": true}}]}',
      ),
    ).toMatchObject({
      kind: 'aggregate',
      pipeline: [{ $match: { paid: true } }],
    });
  });

  it('refuses write stages anywhere in a pipeline and every other command', () => {
    expect(() =>
      parseMongoRead('{"aggregate": "c", "pipeline": [{"$out": "copy"}]}'),
    ).toThrow(/\$out writes data/);
    expect(() =>
      parseMongoRead(
        '{"aggregate": "c", "pipeline": [{"$facet": {"a": [{"$merge": {"into": "x"}}]}}]}',
      ),
    ).toThrow(/\$merge writes data/);
    expect(() =>
      parseMongoRead(
        '{"aggregate": "c", "pipeline": [{"$lookup": {"from": "d", "as": "d", "pipeline": [{"$out": "e"}]}}]}',
      ),
    ).toThrow(/\$out writes data/);
    expect(() =>
      parseMongoRead('{"insert": "c", "documents": [{"a": 1}]}'),
    ).toThrow(/Only find and aggregate/);
    expect(() => parseMongoRead('{"delete": "c", "deletes": []}')).toThrow(
      /Only find and aggregate/,
    );
    expect(() =>
      parseMongoRead('{"find": "c", "update": {"$set": {"a": 1}}}'),
    ).toThrow(/Not allowed in the console: update/);
    expect(() => parseMongoRead('db.c.find()')).toThrow(/JSON/);
  });
});

describe('mongoReadOnlyQuery through the official driver', () => {
  it('sends find with our filter, limit and maxTimeMS and follows getMore', async () => {
    const result = await mongoReadOnlyQuery(
      target(),
      parseMongoRead('{"find": "customers", "filter": {"city": "Berlin"}}'),
      { maxRows: 3, timeoutMs: 1500 },
    );
    const [find] = sent('find');
    expect(find).toMatchObject({
      find: 'customers',
      filter: { city: 'Berlin' },
      limit: 4, // one more than maxRows, to see whether the result was cut
      maxTimeMS: 1500,
      $db: 'shop',
    });
    // the server sent 2 documents per batch: the driver had to ask for more
    expect(sent('getMore')).toEqual([
      expect.objectContaining({ collection: 'customers', $db: 'shop' }),
    ]);
    expect(result.truncated).toBe(true);
    expect(result.columns).toEqual(['_id', 'name', 'city', 'phone', 'contact']);
    expect(result.rows).toEqual(
      CUSTOMERS.slice(0, 3).map(c => [
        `{"$oid":"${c._id.toHexString()}"}`,
        c.name,
        'Berlin',
        c.phone,
        JSON.stringify(c.contact),
      ]),
    );
  });

  it('sends aggregate with our $limit stage and maxTimeMS', async () => {
    const result = await mongoReadOnlyQuery(
      target(),
      parseMongoRead(
        '{"aggregate": "customers", "pipeline": [{"$match": {"city": "Paris"}}]}',
      ),
      { maxRows: 10, timeoutMs: 2000 },
    );
    expect(sent('aggregate')).toEqual([
      expect.objectContaining({
        aggregate: 'customers',
        pipeline: [{ $match: { city: 'Paris' } }, { $limit: 11 }],
        maxTimeMS: 2000,
        cursor: {},
      }),
    ]);
    expect(result.truncated).toBe(false);
    expect(result.rows.map(r => r[1])).toEqual(['customer 5']);
  });

  it('reports the server error when maxTimeMS runs out', async () => {
    await expect(
      mongoReadOnlyQuery(target(), parseMongoRead('{"find": "slow"}'), {
        maxRows: 10,
        timeoutMs: 100,
      }),
    ).rejects.toThrow(/operation exceeded time limit/);
  });
});

describe('the console on a MongoDB instance', () => {
  function setup() {
    const log: QueryLogEntry[] = [];
    const store = {
      logQuery: async (e: QueryLogEntry) => void log.push(e),
    } as unknown as SqlStore;
    const service = new SqlService({
      store,
      catalog: catalogServiceMock({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Resource',
            metadata: { name: 'shop-docs', namespace: 'default' },
            spec: {
              type: 'database',
              engine: 'mongodb',
              address: '127.0.0.1',
              port: mongo.port,
              database: 'shop',
              owner: 'dba',
            },
          },
        ],
      }),
      auth: mockServices.auth(),
      getSecret: async () => {
        throw new Error('no credential configured');
      },
      masker: new Masker(DEFAULT_MASKING_RULES),
      limits: { maxRows: 100, timeoutMs: 5000 },
      logger: mockServices.logger.mock(),
    });
    const actor: Actor = {
      userRef: 'user:default/carol',
      ownership: ['user:default/carol'],
      credentials: mockCredentials.user('user:default/carol'),
    };
    return { service, actor, log };
  }

  it('checks the connection, masks documents and logs the query', async () => {
    const { service, actor, log } = setup();
    const instance = await service.getInstance(
      'resource:default/shop-docs',
      actor.credentials,
    );
    expect(await service.check(instance)).toEqual({
      reachable: true,
      version: 'MongoDB 7.0.12',
    });
    const result = await service.console.query(actor, instance, {
      sql: '{"find": "customers", "filter": {"city": "Berlin"}, "projection": {"_id": 0}}',
    });
    expect(result.maskedColumns).toEqual(['phone', 'contact']);
    expect(result.rows).toHaveLength(4);
    const text = JSON.stringify(result.rows);
    expect(text).not.toContain('13800138001');
    expect(text).not.toContain('c1@example.com');
    expect(result.columns).toEqual(['name', 'city', 'phone', 'contact']);
    expect(result.rows[0][2]).toMatch(/^138\*+8001$/);
    expect(sent('find')).toEqual([
      expect.objectContaining({
        projection: { _id: 0 },
        limit: 101,
        maxTimeMS: 5000,
      }),
    ]);
    expect(log).toEqual([
      expect.objectContaining({
        userRef: 'user:default/carol',
        instanceRef: 'resource:default/shop-docs',
        rowCount: 4,
      }),
    ]);
  });

  it('refuses $out before it reaches the server and logs the refusal', async () => {
    const { service, actor, log } = setup();
    const instance = await service.getInstance(
      'resource:default/shop-docs',
      actor.credentials,
    );
    await expect(
      service.console.query(actor, instance, {
        sql: '{"aggregate": "customers", "pipeline": [{"$out": "stolen"}]}',
      }),
    ).rejects.toThrow(/\$out writes data/);
    expect(sent('aggregate')).toEqual([]);
    expect(log).toEqual([
      expect.objectContaining({ error: expect.stringMatching(/\$out/) }),
    ]);
    await expect(
      service.changes.submit(actor, {
        instanceRef: 'resource:default/shop-docs',
        title: 'x',
        sql: 'DELETE FROM x WHERE 1 = 1',
      }),
    ).rejects.toThrow(/read through the query console only/);
  });
});
