import { createHash } from 'node:crypto';
import { JobStore } from '../database/JobStore';
import { RunHostOutput, RunOutputGroup } from '../model';

/** Hosts read from the database at a time: outputs are capped per host, not per run. */
const PAGE = 100;

function digestOf(h: RunHostOutput): string {
  const hash = createHash('sha256');
  // length-prefixed fields: no output can be shaped to collide with another split
  for (const part of [h.status, String(h.exitCode ?? ''), h.stdout, h.stderr]) {
    hash.update(`${Buffer.byteLength(part)}:`);
    hash.update(part);
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Groups a run's hosts by identical result (status, exit code, stdout and
 * stderr), as Ansible's summary does: the largest group first, then by first
 * host name. Reads the hosts a page at a time and keeps one sample output per
 * group, so memory grows with the number of distinct outputs, not of hosts.
 */
export async function groupRunOutputs(
  store: JobStore,
  runId: string,
): Promise<{ hosts: number; groups: RunOutputGroup[] }> {
  const groups = new Map<string, RunOutputGroup>();
  let after: string | undefined;
  let hosts = 0;
  for (;;) {
    const page = await store.listRunHostOutputs(runId, { after, limit: PAGE });
    for (const h of page) {
      hosts += 1;
      const digest = digestOf(h);
      const group = groups.get(digest);
      if (group) {
        group.hosts.push(h.host);
        group.truncated ||= h.truncated;
      } else {
        groups.set(digest, {
          digest,
          status: h.status,
          ...(h.exitCode !== undefined && { exitCode: h.exitCode }),
          hosts: [h.host],
          stdout: h.stdout,
          stderr: h.stderr,
          truncated: h.truncated,
        });
      }
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1].host;
  }
  const sorted = [...groups.values()].sort(
    (a, b) =>
      b.hosts.length - a.hosts.length || a.hosts[0].localeCompare(b.hosts[0]),
  );
  return { hosts, groups: sorted };
}
