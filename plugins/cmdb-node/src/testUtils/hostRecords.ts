import type { HostDetail, HostTarget } from '@opsdeck/plugin-cmdb-common';

/**
 * An SSH target as `resolveHosts` gives it: `<name>` in the default
 * namespace, staging, tagged `web`, at 10.0.0.1:22.
 */
export function testHostTarget(
  name: string,
  extra: Partial<HostTarget> = {},
): HostTarget {
  return {
    name,
    entityRef: `resource:default/${name}`,
    address: '10.0.0.1',
    port: 22,
    environment: 'staging',
    tags: ['web'],
    ...extra,
  };
}

/**
 * A CMDB host record as `GET /api/cmdb/hosts/{name}` answers it, with
 * collected facts (Debian 12, 4 CPUs, 8 GiB and a little memory, one disk).
 */
export function testHostDetail(
  name: string,
  extra: Partial<HostDetail> = {},
): HostDetail {
  return {
    ...testHostTarget(name),
    environment: 'staging',
    owner: 'group:default/ops',
    source: 'cmdb',
    credential: 'root-key',
    reachable: true,
    os: 'Debian GNU/Linux 12 (bookworm)',
    kernel: '6.1.0-18-amd64',
    cpuCount: 4,
    cpuModel: 'AMD EPYC',
    memTotalBytes: 8 * 1024 * 1024 * 1024 + 123,
    ips: ['10.0.0.1'],
    disks: [{ mount: '/', sizeBytes: 100, usedBytes: 40 }],
    collectedAt: '2026-12-03T09:00:00.000Z',
    ...extra,
  };
}
