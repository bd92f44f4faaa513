import type { Entity } from '@backstage/catalog-model';
import net from 'node:net';
import type { ProbeStore, StoredProbe } from '../database/ProbeStore';
import type { BlackboxPublisher } from './BlackboxPublisher';
import { renderBlackboxConfig } from './BlackboxPublisher';
import { ProbeService } from './ProbeService';
import { addressAllowed } from './targets';

const none = new net.BlockList();

/** An in-memory ProbeStore (the transaction is the publish call). */
function memoryStore() {
  const probes: StoredProbe[] = [];
  const store = {
    list: async () => probes,
    get: async (id: number) => probes.find(p => p.id === id),
    create: async (
      p: Omit<StoredProbe, 'id' | 'createdBy' | 'createdAt'>,
      by: string,
      at: Date,
      publish: (all: StoredProbe[]) => Promise<void>,
    ) => {
      const created = {
        ...p,
        id: probes.length + 1,
        createdBy: by,
        createdAt: at.toISOString(),
      };
      await publish([...probes, created]);
      probes.push(created);
      return created;
    },
    update: async (
      id: number,
      p: Omit<StoredProbe, 'id' | 'createdBy' | 'createdAt'>,
      publish: (all: StoredProbe[]) => Promise<void>,
    ) => {
      const i = probes.findIndex(x => x.id === id);
      if (i < 0) return undefined;
      const updated = { ...probes[i], ...p };
      await publish(probes.map(x => (x.id === id ? updated : x)));
      probes[i] = updated;
      return updated;
    },
    delete: async () => false,
  };
  return store as unknown as ProbeStore;
}

const host: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'web-01', namespace: 'default' },
  spec: { type: 'host', owner: 'group:default/ops' },
};
const entityOf = async () => new Map([['resource:default/web-01', host]]);

/**
 * What the blackbox exporter connects to for a target: an address is used
 * as it is; a name is resolved by the exporter's own resolver.
 */
function exporterConnects(
  target: string,
  exporterLookup: (h: string) => string,
): string {
  const tcp = /^(?:\[([^\]]+)\]|([^:]+)):\d+$/.exec(target);
  const hostPart = tcp
    ? tcp[1] ?? tcp[2]
    : new URL(target).hostname.replace(/^\[|\]$/g, '');
  return net.isIP(hostPart) ? hostPart : exporterLookup(hostPart);
}

// DNS rebinding: the attacker's name server answers opsdeck's resolver with
// a public address and the exporter's resolver (a later query, or another
// recursive resolver) with the cloud metadata address or loopback. Whatever
// the exporter's resolver says, the address it contacts must be one opsdeck
// checked.
describe('probe targets against DNS rebinding', () => {
  const setup = () => {
    let answers: Record<string, string[]> = {
      'rebind.example.com': ['203.0.113.5'],
    };
    const published: StoredProbe[][] = [];
    const service = new ProbeService({
      store: memoryStore(),
      publisher: {
        publish: async (p: StoredProbe[]) => {
          published.push(p);
        },
      } as unknown as BlackboxPublisher,
      allow: none,
      minIntervalSeconds: 1,
      lookup: async h => answers[h] ?? [],
    });
    return {
      service,
      published,
      answer: (a: Record<string, string[]>) => {
        answers = a;
      },
    };
  };
  const create = (
    service: ProbeService,
    kind: 'tcp' | 'http',
    target: string,
  ) =>
    service.create(
      { entityRef: 'resource:default/web-01', kind, target, interval: '15s' },
      'user:default/alice',
      host,
    );

  it('publishes the address opsdeck checked, never a name the exporter resolves again', async () => {
    const { service } = setup();
    await create(service, 'tcp', 'rebind.example.com:22');
    await create(service, 'http', 'https://rebind.example.com:8443/health');
    await create(service, 'http', 'http://rebind.example.com/');
    const groups = await service.targetGroups(entityOf);
    expect(groups).toHaveLength(3);
    for (const evil of ['169.254.169.254', '127.0.0.1', '::1']) {
      for (const g of groups) {
        const contacted = exporterConnects(g.targets[0], () => evil);
        expect([g.targets[0], contacted]).toEqual([
          g.targets[0],
          '203.0.113.5',
        ]);
        expect(addressAllowed(contacted, none)).toBe(true);
      }
    }
    expect(groups.map(g => g.targets[0])).toEqual([
      '203.0.113.5:22',
      'https://203.0.113.5:8443/health',
      'http://203.0.113.5/',
    ]);
    // the target as the person wrote it stays visible as a label
    expect(groups.map(g => g.labels.opsdeck_probe_target)).toEqual([
      'rebind.example.com:22',
      'https://rebind.example.com:8443/health',
      'http://rebind.example.com/',
    ]);
  });

  it('keeps the name for the server: Host header and TLS server name in the HTTP module', async () => {
    const { service, published } = setup();
    await create(service, 'http', 'https://rebind.example.com:8443/health');
    await create(service, 'http', 'http://rebind.example.com/');
    await create(service, 'http', 'http://203.0.113.7:8080/');
    const modules = JSON.parse(
      renderBlackboxConfig(published[published.length - 1]),
    ).modules;
    expect(modules.opsdeck_probe_1.http).toMatchObject({
      headers: { Host: 'rebind.example.com:8443' },
      tls_config: { server_name: 'rebind.example.com' },
      follow_redirects: false,
    });
    expect(modules.opsdeck_probe_2.http.headers).toEqual({
      Host: 'rebind.example.com',
    });
    // an address needs neither
    expect(modules.opsdeck_probe_3.http.headers).toBeUndefined();
    expect(modules.opsdeck_probe_3.http.tls_config).toBeUndefined();
  });

  it('re-checks every address at each discovery (A and AAAA) and drops a name that turned', async () => {
    const { service, answer } = setup();
    await create(service, 'tcp', 'rebind.example.com:22');
    expect(await service.targetGroups(entityOf)).toHaveLength(1);
    for (const turned of [
      ['169.254.169.254'],
      ['203.0.113.5', '169.254.169.254'],
      ['203.0.113.5', '::1'],
      ['203.0.113.5', '::ffff:127.0.0.1'],
      [],
    ]) {
      answer({ 'rebind.example.com': turned });
      expect([turned, await service.targetGroups(entityOf)]).toEqual([
        turned,
        [],
      ]);
    }
    // and back to a public address: published again, pinned to it
    answer({ 'rebind.example.com': ['2001:db8::5', '203.0.113.9'] });
    const [g] = await service.targetGroups(entityOf);
    // IPv4 first (the modules prefer ip4), and IPv6 in brackets otherwise
    expect(g.targets).toEqual(['203.0.113.9:22']);
    // round-robin DNS: the same set in another order pins the same address
    for (const order of [
      ['203.0.113.10', '203.0.113.9', '2001:db8::5'],
      ['2001:db8::5', '203.0.113.9', '203.0.113.10'],
    ]) {
      answer({ 'rebind.example.com': order });
      expect((await service.targetGroups(entityOf))[0].targets).toEqual([
        '203.0.113.9:22',
      ]);
    }
    answer({ 'rebind.example.com': ['2001:db8::5'] });
    expect((await service.targetGroups(entityOf))[0].targets).toEqual([
      '[2001:db8::5]:22',
    ]);
  });

  it('refuses at save time a name with any refused address, IPv6 included', async () => {
    const { service, answer } = setup();
    answer({ 'rebind.example.com': ['203.0.113.5', 'fe80::1'] });
    await expect(
      create(service, 'tcp', 'rebind.example.com:22'),
    ).rejects.toThrow(/may not reach fe80::1/);
  });

  it('checks an edit as a create: a name with a refused address is refused and the probe keeps its pinned target', async () => {
    const { service, answer, published } = setup();
    const made = await create(service, 'tcp', 'rebind.example.com:22');
    const edit = (target: string) =>
      service.update(
        made.id,
        {
          entityRef: 'resource:default/web-01',
          kind: 'tcp',
          target,
          interval: '15s',
        },
        host,
      );
    const writes = published.length;
    answer({
      'rebind.example.com': ['203.0.113.5'],
      'evil.example.com': ['203.0.113.6', '169.254.169.254'],
      'v6.example.com': ['fd00:ec2::254'],
    });
    await expect(edit('evil.example.com:22')).rejects.toThrow(
      /may not reach 169\.254\.169\.254/,
    );
    await expect(edit('v6.example.com:22')).rejects.toThrow(/may not reach/);
    await expect(edit('169.254.169.254:80')).rejects.toThrow(/may not reach/);
    expect(published.length).toBe(writes);
    expect(await service.get(made.id)).toMatchObject({
      target: 'rebind.example.com:22',
    });
    expect((await service.targetGroups(entityOf))[0].targets).toEqual([
      '203.0.113.5:22',
    ]);
    // an allowed edit is pinned to the address checked for the new name
    answer({ 'good.example.com': ['203.0.113.8'] });
    await edit('good.example.com:8080');
    expect((await service.targetGroups(entityOf))[0].targets).toEqual([
      '203.0.113.8:8080',
    ]);
  });
});
