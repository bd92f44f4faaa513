import type { RunningPlace } from '@opsdeck/plugin-registry-common';

/**
 * Where image digests run. The registry plugin asks before deleting a tag
 * and keeps running digests in a retention dry run.
 *
 * The CMDB's host facts (plugins/cmdb-backend/src/facts) hold no container
 * list today, so the only implementation is {@link InMemoryRunningDigests},
 * which the Kubernetes part of issue #21 (pods) and a future CMDB container
 * fact are meant to fill through {@link RunningDigestsStore.report}.
 */
export interface RunningDigests {
  /**
   * Places running any of `digests` of `repository` in the registry
   * `registryRef` (an index digest or one of its platform images).
   */
  lookup(
    registryRef: string,
    repository: string,
    digests: string[],
  ): Promise<RunningPlace[]>;
}

/** A {@link RunningDigests} that is told what runs where. */
export interface RunningDigestsStore extends RunningDigests {
  /**
   * Replaces everything a source (`host:<ref>` or `cluster:<name>`) reported
   * with `images`.
   */
  report(
    source: string,
    images: Array<{
      registryRef: string;
      repository: string;
      digest: string;
      place: RunningPlace;
    }>,
  ): void;
}

/** Process memory store of running digests, per reporting source. */
export class InMemoryRunningDigests implements RunningDigestsStore {
  private readonly bySource = new Map<
    string,
    Array<{ key: string; place: RunningPlace }>
  >();

  report(
    source: string,
    images: Array<{
      registryRef: string;
      repository: string;
      digest: string;
      place: RunningPlace;
    }>,
  ): void {
    this.bySource.set(
      source,
      images.map(i => ({
        key: keyOf(i.registryRef, i.repository, i.digest),
        place: i.place,
      })),
    );
  }

  async lookup(
    registryRef: string,
    repository: string,
    digests: string[],
  ): Promise<RunningPlace[]> {
    const keys = new Set(digests.map(d => keyOf(registryRef, repository, d)));
    const places: RunningPlace[] = [];
    for (const entries of this.bySource.values()) {
      for (const entry of entries) {
        if (keys.has(entry.key)) places.push(entry.place);
      }
    }
    return places;
  }
}

function keyOf(registryRef: string, repository: string, digest: string) {
  return `${registryRef.toLocaleLowerCase('en-US')}|${repository}@${digest}`;
}
