import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { HostTarget } from '@opsdeck/plugin-cmdb-common';
import { factsOfDetail, HostFactsClient } from './HostFactsClient';
import { testHostDetail, testHostTarget } from './testUtils';

jest.setTimeout(60_000);

const web01 = testHostTarget('web-01');
const web02 = testHostTarget('web-02');

describe('facts of a CMDB host record', () => {
  it('keeps the collected facts only, plus memTotalMiB', () => {
    const facts = factsOfDetail(testHostDetail('web-01', { description: 'x' }));
    expect(facts).toEqual({
      reachable: true,
      os: 'Debian GNU/Linux 12 (bookworm)',
      kernel: '6.1.0-18-amd64',
      cpuCount: 4,
      cpuModel: 'AMD EPYC',
      memTotalBytes: 8 * 1024 * 1024 * 1024 + 123,
      memTotalMiB: 8192,
      ips: ['10.0.0.1'],
      disks: [{ mount: '/', sizeBytes: 100, usedBytes: 40 }],
      collectedAt: '2026-12-03T09:00:00.000Z',
    });
    // never collected: nothing
    expect(factsOfDetail({ name: 'x', reachable: null as any })).toEqual({});
  });
});

describe('HostFactsClient', () => {
  function client(answers: Record<string, { status: number; body?: any }>) {
    const calls: { url: string; authorization?: string }[] = [];
    const fetchMock = jest.fn(async (url: string, init?: RequestInit) => {
      calls.push({
        url,
        authorization: (init?.headers as Record<string, string>)?.authorization,
      });
      const name = decodeURIComponent(url.split('/hosts/')[1]);
      const a = answers[name] ?? { status: 404, body: {} };
      return new Response(JSON.stringify(a.body ?? {}), {
        status: a.status,
        headers: { 'content-type': 'application/json' },
      });
    });
    const facts = new HostFactsClient({
      discovery: mockServices.discovery(),
      auth: mockServices.auth(),
      fetch: fetchMock as any,
      concurrency: 2,
    });
    return { facts, calls };
  }

  it("asks the CMDB for each host's record as the caller and maps it to facts", async () => {
    const { facts, calls } = client({
      'web-01': { status: 200, body: testHostDetail('web-01') },
      'web-02': {
        status: 200,
        body: testHostDetail('web-02', { cpuCount: 16 }),
      },
    });
    const out = await facts.factsOf([web01, web02], {
      credentials: mockCredentials.user('user:default/bob'),
    });
    expect(out.get(web01.entityRef)).toMatchObject({ cpuCount: 4 });
    expect(out.get(web02.entityRef)).toMatchObject({ cpuCount: 16 });
    expect(calls.map(c => c.url).sort()).toEqual([
      'http://localhost:0/api/cmdb/hosts/web-01',
      'http://localhost:0/api/cmdb/hosts/web-02',
    ]);
    // on behalf of bob, for the cmdb plugin
    for (const c of calls) {
      expect(c.authorization).toBe(
        mockCredentials.service.header({
          onBehalfOf: mockCredentials.user('user:default/bob'),
          targetPluginId: 'cmdb',
        }),
      );
    }
  });

  it('gives no facts for an unknown or unreadable host, or a record of another namespace', async () => {
    const other: HostTarget = {
      ...web01,
      name: 'db-01',
      entityRef: 'resource:team-a/db-01',
    };
    const { facts } = client({
      'web-01': { status: 403 },
      'db-01': { status: 200, body: testHostDetail('db-01') }, // resource:default/db-01
    });
    const out = await facts.factsOf([web01, web02, other], {
      credentials: mockCredentials.user(),
    });
    expect(out.get(web01.entityRef)).toEqual({});
    expect(out.get(web02.entityRef)).toEqual({});
    expect(out.get(other.entityRef)).toEqual({});
  });

  it('fails when the CMDB fails', async () => {
    const { facts } = client({
      'web-01': { status: 500, body: { error: { message: 'boom' } } },
    });
    await expect(
      facts.factsOf([web01], { credentials: mockCredentials.user() }),
    ).rejects.toThrow(/500/);
  });
});
