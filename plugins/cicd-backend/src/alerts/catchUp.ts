import type { BuildSummary } from '@opsdeck/plugin-cicd-common';
import type { LeafPage } from '../jenkins/JenkinsGateway';

/** What a poll reads of one leaf job. */
export interface CatchUpLimits {
  /** Builds per request (`{from,to}` range of `allBuilds`). */
  pageSize: number;
  /** Builds read per job and poll beyond the first page. */
  maxBuilds: number;
}

/**
 * The builds of one leaf job that ended since the alerting last saw it
 * (`lastNumber`), read by pages of Jenkins' `allBuilds{from,to}` (newest
 * first) until a page reaches a build already seen or the oldest build.
 *
 * - The answer is contiguous: every build numbered from `lastNumber + 1` up
 *   to the newest one returned, so the alert engine can advance its cursor
 *   over them without skipping one.
 * - More new builds than `maxBuilds`: the oldest `maxBuilds` of them are
 *   read (Jenkins numbers a job's builds upwards, so build `lastNumber + 1`
 *   is at most at index `newest - lastNumber - 1`; deleted builds only move
 *   it nearer), and the next poll goes on from there.
 * - A page that fails throws; a history that keeps moving under the reads
 *   (the cap is reached without meeting a seen build) returns `complete:
 *   false` and nothing: the cursor stays where it was either way.
 */
export async function newBuilds(
  first: LeafPage,
  lastNumber: number | undefined,
  readPage: (from: number, to: number) => Promise<LeafPage | undefined>,
  limits: CatchUpLimits,
): Promise<{ builds: BuildSummary[]; complete: boolean; requests: number }> {
  const reached = (page: LeafPage) =>
    !page.full || page.builds.some(b => b.number <= lastNumber!);
  if (lastNumber === undefined || !first.builds.length || reached(first)) {
    return { builds: first.builds, complete: true, requests: 0 };
  }
  const { pageSize, maxBuilds } = limits;
  const newest = Math.max(...first.builds.map(b => b.number));
  const seen = new Map<number, BuildSummary>();
  // index (exclusive) by which build lastNumber + 1 has been passed
  const end = newest - lastNumber;
  let from = pageSize;
  if (end - maxBuilds > pageSize) {
    // too many to read at once: the oldest part first, the newest later
    from = end - maxBuilds;
  } else {
    for (const b of first.builds) seen.set(b.number, b);
  }
  let read = 0;
  let requests = 0;
  for (;;) {
    const page = await readPage(from, from + pageSize);
    requests++;
    if (!page) return { builds: [], complete: false, requests };
    for (const b of page.builds) seen.set(b.number, b);
    if (reached(page)) break;
    read += pageSize;
    from += pageSize;
    // new builds kept pushing the history down: try again next poll
    if (read >= maxBuilds + pageSize) {
      return { builds: [], complete: false, requests };
    }
  }
  return {
    builds: [...seen.values()]
      .filter(b => b.number > lastNumber)
      .sort((a, b) => a.number - b.number),
    complete: true,
    requests,
  };
}
