import { CollectedFacts } from '../database/HostStore';
import {
  CONTAINERS_COMMAND,
  HostContainer,
  parseContainers,
} from './containers';

/**
 * The one remote command that collects a host's facts. It prints sections
 * that start with a `@@name` line; a missing tool leaves its section empty.
 * Runs under any POSIX login shell; exits 0 even when a part fails.
 */
export const FACTS_COMMAND = [
  `echo @@os; (. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")`,
  `echo @@kernel; uname -r 2>/dev/null`,
  `echo @@cpucount; (nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null)`,
  `echo @@cpumodel; grep -m1 -E '^(model name|Hardware|Processor|cpu model)' /proc/cpuinfo 2>/dev/null`,
  `echo @@meminfo; grep -m1 '^MemTotal:' /proc/meminfo 2>/dev/null`,
  `echo @@df; df -P -B1 -T 2>/dev/null`,
  `if command -v ip >/dev/null 2>&1; then echo @@ip; ip -o addr show 2>/dev/null; else echo @@hostname-i; hostname -I 2>/dev/null; fi`,
  `echo @@uptime; cat /proc/uptime 2>/dev/null`,
  CONTAINERS_COMMAND,
  `echo @@end`,
  `exit 0`,
].join('\n');

/** Filesystem types that are not real disks (df on them is noise). */
const PSEUDO_FS = new Set([
  'tmpfs',
  'devtmpfs',
  'devfs',
  'proc',
  'sysfs',
  'squashfs',
  'cgroup',
  'cgroup2',
  'devpts',
  'mqueue',
  'shm',
  'nsfs',
  'tracefs',
  'debugfs',
  'securityfs',
  'pstore',
  'efivarfs',
  'autofs',
  'ramfs',
  'hugetlbfs',
  'configfs',
  'bpf',
  'fusectl',
  'binfmt_misc',
  'fuse.lxcfs',
  'fuse.gvfsd-fuse',
  'fuse.portal',
  'rpc_pipefs',
  'nfsd',
  'none',
]);

/**
 * The running containers in the output of {@link FACTS_COMMAND} (none when
 * the host has no docker or podman), parsed strictly (see parseContainers).
 */
export function parseFactsContainers(output: string): HostContainer[] {
  const s = sections(output);
  if (!s.has('end')) return [];
  return parseContainers(s.get('containers'));
}

function sections(output: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const raw of output.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const m = /^@@([a-z-]+)$/.exec(line);
    if (m) {
      current = [];
      map.set(m[1], current);
    } else if (current && line.trim() !== '') {
      current.push(line);
    }
  }
  return map;
}

function positiveInt(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const n = Number(text.trim());
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
}

/**
 * Parses the output of {@link FACTS_COMMAND}. Throws when the output is not
 * from that command (no end marker: the command did not run to its end).
 */
export function parseFacts(output: string): CollectedFacts {
  const s = sections(output);
  if (!s.has('end')) {
    throw new Error('Fact collection output is incomplete');
  }
  const facts: CollectedFacts = {};

  const os = s.get('os')?.[0]?.trim();
  if (os) facts.os = os;

  const kernel = s.get('kernel')?.[0]?.trim();
  if (kernel) facts.kernel = kernel;

  const cpuCount = positiveInt(s.get('cpucount')?.[0]);
  if (cpuCount) facts.cpuCount = cpuCount;

  const cpuLine = s.get('cpumodel')?.[0];
  if (cpuLine) {
    const model = cpuLine.split(':').slice(1).join(':').trim();
    if (model) facts.cpuModel = model;
  }

  const mem = /^MemTotal:\s+(\d+)\s*kB/i.exec(s.get('meminfo')?.[0] ?? '');
  if (mem) facts.memTotalBytes = Number(mem[1]) * 1024;

  const dfLines = s.get('df');
  if (dfLines) {
    const disks: CollectedFacts['disks'] = [];
    const seen = new Set<string>();
    for (const line of dfLines.slice(1)) {
      // Filesystem Type 1-blocks Used Available Capacity Mounted-on
      const f = line.trim().split(/\s+/);
      if (f.length < 7) continue;
      const [, type, size, used] = f;
      const mount = f.slice(6).join(' ');
      if (PSEUDO_FS.has(type) || !/^\d+$/.test(size) || !/^\d+$/.test(used)) {
        continue;
      }
      if (Number(size) === 0 || seen.has(mount)) continue;
      seen.add(mount);
      disks.push({ mount, sizeBytes: Number(size), usedBytes: Number(used) });
    }
    facts.disks = disks;
  }

  const ips: string[] = [];
  for (const line of s.get('ip') ?? []) {
    // 2: eth0    inet 192.0.2.5/24 brd 192.0.2.255 scope global eth0\ ...
    const m = /\binet6?\s+([0-9a-fA-F:.]+)\/\d+/.exec(line);
    if (!m || /\bscope\s+host\b/.test(line)) continue;
    ips.push(m[1]);
  }
  for (const line of s.get('hostname-i') ?? []) {
    for (const addr of line.trim().split(/\s+/)) {
      if (addr) ips.push(addr);
    }
  }
  if (s.has('ip') || s.has('hostname-i')) facts.ips = [...new Set(ips)];

  const uptime = Number(s.get('uptime')?.[0]?.trim().split(/\s+/)[0]);
  if (Number.isFinite(uptime) && uptime >= 0 && s.get('uptime')?.length) {
    facts.uptimeSeconds = Math.floor(uptime);
  }
  return facts;
}
