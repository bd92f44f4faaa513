import { summarizeFetched } from './manifests';
import type { RegistryClient } from './RegistryClient';

/** A tag ranked by recency: what it points at, when it was built, its size. */
export interface TagRecency {
  tag: string;
  digest: string;
  /** The digest and its platform images' digests (what may be running). */
  digests: string[];
  created?: string;
  size: number;
}

/** Manifest requests in flight at once for one ranking. */
const CONCURRENCY = 4;

/**
 * The `limit` newest of `tags` by created time (a tag without one is the
 * oldest; ties by tag name), with the fewest reads the registry API allows:
 * it has no push time, so each tag's manifest is read once (GET by tag, which
 * also gives its digest), and what a digest points at (platform manifests,
 * configs) is read once however many tags share it. Created time is the
 * retention rule's: the newest of the image configs.
 */
export async function newestTags(
  client: RegistryClient,
  repository: string,
  tags: string[],
  limit: number,
): Promise<TagRecency[]> {
  const byDigest = new Map<
    string,
    Promise<{ created?: string; size: number; digests: string[] }>
  >();
  const ranked: TagRecency[] = new Array(tags.length);
  let next = 0;
  const worker = async () => {
    while (next < tags.length) {
      const i = next++;
      const tag = tags[i];
      const top = await client.manifest(repository, tag);
      let facts = byDigest.get(top.digest);
      if (!facts) {
        facts = summarizeFetched(client, repository, tag, top).then(s => ({
          size: s.size,
          digests: [s.digest, ...s.images.map(image => image.digest)],
          ...(s.created ? { created: s.created } : {}),
        }));
        byDigest.set(top.digest, facts);
      }
      ranked[i] = { tag, digest: top.digest, ...(await facts) };
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, tags.length) }, () =>
      worker().catch(error => {
        next = tags.length;
        throw error;
      }),
    ),
  );
  const time = (t: TagRecency) => (t.created ? Date.parse(t.created) : 0);
  return ranked
    .sort((a, b) => time(b) - time(a) || a.tag.localeCompare(b.tag))
    .slice(0, limit);
}
