import type {
  BuildArtifact,
  BuildSummary,
  Deployment,
  TimelineItem,
} from '@opsdeck/plugin-cicd-common';

const ORDER: Record<TimelineItem['kind'], number> = {
  commit: 0,
  build: 1,
  artifact: 2,
  deployment: 3,
};

/**
 * Merges a component's builds (with what they produced) and deployments
 * into one delivery timeline, oldest first: each commit at the first build
 * or deployment naming it, each build at its start, its artifacts (posted
 * with it, or archived by Jenkins) at its
 * end, each deployment at its time and linked to the build of its commit
 * (the newest successful one that started before it, else the newest one).
 * At the same instant a commit comes before its build, a build before its
 * artifacts, artifacts before a deployment.
 */
export function mergeTimeline(
  builds: BuildSummary[],
  artifacts: Map<string, BuildArtifact[]>,
  deployments: Deployment[],
): TimelineItem[] {
  const items: TimelineItem[] = [];
  // commit id → first seen; a short and a full id of one commit are one
  // commit (the longer id is kept)
  const firstSeen = new Map<string, number>();
  const seen = (commit: string | undefined, at: number) => {
    if (!commit) return;
    const known = [...firstSeen.keys()].find(k => sameCommit(k, commit));
    const before = known === undefined ? undefined : firstSeen.get(known)!;
    const id = known && known.length >= commit.length ? known : commit;
    if (known !== undefined) firstSeen.delete(known);
    firstSeen.set(id, before === undefined ? at : Math.min(before, at));
  };
  for (const b of builds) {
    seen(b.commit, b.timestamp);
    items.push({
      kind: 'build',
      timestamp: b.timestamp,
      ...(b.commit ? { commit: b.commit } : {}),
      job: b.job,
      number: b.number,
      result: b.result,
      url: b.url,
      ...(b.branch ? { branch: b.branch } : {}),
      source: b.source ?? 'jenkins',
    });
    // posted builds: what the intake stored; Jenkins builds: their archive
    const produced = artifacts.get(`${b.job}#${b.number}`) ?? b.artifacts ?? [];
    for (const a of produced) {
      items.push({
        kind: 'artifact',
        timestamp: b.timestamp + b.durationMillis,
        ...(b.commit ? { commit: b.commit } : {}),
        job: b.job,
        number: b.number,
        name: a.name,
        ...(a.digest ? { digest: a.digest } : {}),
        ...(a.url ? { url: a.url } : {}),
        ...(a.path ? { path: a.path } : {}),
      });
    }
  }
  for (const d of deployments) {
    seen(d.commit, d.timestamp);
    const build = d.commit ? buildOf(builds, d.commit, d.timestamp) : undefined;
    items.push({
      kind: 'deployment',
      timestamp: d.timestamp,
      ...(d.commit ? { commit: d.commit } : {}),
      system: d.system,
      environment: d.environment,
      ...(d.version ? { version: d.version } : {}),
      ...(d.digest ? { digest: d.digest } : {}),
      status: d.status,
      url: d.url,
      ...(build ? { build: { job: build.job, number: build.number } } : {}),
    });
  }
  for (const [commit, timestamp] of firstSeen) {
    items.push({ kind: 'commit', timestamp, commit });
  }
  return items.sort(
    (a, b) => a.timestamp - b.timestamp || ORDER[a.kind] - ORDER[b.kind],
  );
}

/** Two commit ids name the same commit when one starts with the other (short SHAs). */
function sameCommit(a: string, b: string): boolean {
  return a.length <= b.length ? b.startsWith(a) : a.startsWith(b);
}

function buildOf(
  builds: BuildSummary[],
  commit: string,
  at: number,
): BuildSummary | undefined {
  const same = builds
    .filter(b => b.commit && sameCommit(b.commit, commit))
    .sort((a, b) => b.timestamp - a.timestamp);
  return same.find(b => b.result === 'SUCCESS' && b.timestamp <= at) ?? same[0];
}
