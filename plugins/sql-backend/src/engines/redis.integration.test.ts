import { testServer } from '../__testUtils__/servers';
import { createClient } from '@redis/client';
import {
  redisRefusal,
  redisSlowQueries,
  redisVersion,
  runRedisCommand,
  splitRedisCommand,
} from './redis';

jest.setTimeout(30_000);

describe('Redis console', () => {
  it('splits quoted arguments', () => {
    expect(splitRedisCommand(`HGET "user:1 name" 'a b' c`)).toEqual([
      'HGET',
      'user:1 name',
      'a b',
      'c',
    ]);
  });

  it('refuses dangerous and write commands before they reach the server', () => {
    expect(redisRefusal(['flushall'])).toMatch(/FLUSHALL is refused/);
    expect(redisRefusal(['KEYS', '*'])).toMatch(/use SCAN/);
    expect(redisRefusal(['CONFIG', 'SET', 'x', 'y'])).toMatch(
      /CONFIG is refused/,
    );
    expect(redisRefusal(['SET', 'a', 'b'])).toMatch(/not a read-only command/);
    expect(redisRefusal(['GET', 'a'])).toBeUndefined();
  });

  describe('on a real Redis server', () => {
    const server = testServer('redis');
    const client = createClient({
      socket: { host: server.host, port: server.port },
      password: server.password,
    });

    beforeAll(async () => {
      await client.connect();
      await client.set('opsdeck:test:key', 'value 1');
    });
    afterAll(async () => {
      await client.del('opsdeck:test:key');
      await client.quit();
    });

    it('runs read commands and reports the version', async () => {
      expect(await runRedisCommand(server, ['GET', 'opsdeck:test:key'])).toBe(
        'value 1',
      );
      expect(await redisVersion(server)).toMatch(/^Redis \d/);
    });

    it('never sends a refused command', async () => {
      await expect(runRedisCommand(server, ['FLUSHALL'])).rejects.toThrow(
        /refused/,
      );
      expect(await client.get('opsdeck:test:key')).toBe('value 1');
    });

    it('groups SLOWLOG entries by command', async () => {
      // the test server logs every command (slowlog-log-slower-than 0)
      await runRedisCommand(server, ['GET', 'opsdeck:test:key']);
      const slow = await redisSlowQueries(server, 20);
      expect(
        slow.find(s => s.statement === 'GET ?')?.calls,
      ).toBeGreaterThanOrEqual(1);
    });
  });
});
