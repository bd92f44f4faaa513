import type { RunningPlace } from '@opsdeck/plugin-registry-common';

/** A place running a digest, with the entity a person must see to be shown it. */
export interface StoredPlace extends RunningPlace {
  entityRef: string;
}

/**
 * Where image digests run. The registry plugin asks before deleting a tag
 * and keeps running digests in a retention dry run; the manifest view shows
 * the places the caller may see.
 */
export interface RunningDigests {
  /**
   * Places running any of `digests` of `repository` in the registry at
   * `registryHost` (`host[:port]` of its URL). The host is not compared: a
   * registry reached under another name (`localhost` for `127.0.0.1`, an
   * explicit `:443`, a DNS alias) runs the same content, so any registry
   * name counts.
   */
  lookup(
    registryHost: string,
    repository: string,
    digests: string[],
  ): Promise<StoredPlace[]>;
}
