import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import type { ImageRepositoryLink } from '@opsdeck/plugin-registry-common';
import { responseError } from './api';

/** Newest tags asked per repository (the registry plugin's most). */
export const IMAGE_TAGS_LIMIT = 20;

/** A tag a deploy may pick: what the registry plugin answered for it. */
export interface ImageTagChoice {
  /** The registry resource (`resource:default/harbor`). */
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  created?: string;
  /** `host/repository:tag@digest`: the tag pinned to the digest shown. */
  image: string;
}

/** One linked repository's tags, or why they could not be read. */
export interface RepositoryTags {
  link: ImageRepositoryLink;
  tags: ImageTagChoice[];
  error?: Error;
}

function registryPath(ref: string): string {
  const [, rest = ''] = ref.split(':');
  return rest
    .split('/')
    .map(p => encodeURIComponent(p))
    .join('/');
}

/**
 * The newest tags of a component's image repositories, read from the
 * registry plugin's API as the person (`GET /registries` for each
 * registry's host, `GET /registries/{ns}/{name}/recent-tags`): only tags
 * with a digest, so a deploy names the digest the person saw.
 */
export async function readImageTags(
  discovery: DiscoveryApi,
  fetchApi: FetchApi,
  links: ImageRepositoryLink[],
): Promise<RepositoryTags[]> {
  if (links.length === 0) return [];
  const base = await discovery.getBaseUrl('registry');
  const listed = await fetchApi.fetch(`${base}/registries`);
  if (!listed.ok) throw await responseError(listed);
  const registries = ((await listed.json()).items ?? []) as {
    ref: string;
    url: string;
  }[];
  return Promise.all(
    links.map(async (link): Promise<RepositoryTags> => {
      const registry = registries.find(
        r => r.ref.toLocaleLowerCase('en-US') === link.registry,
      );
      if (!registry) {
        return {
          link,
          tags: [],
          error: new Error(`${link.registry} is not a registry you can read`),
        };
      }
      const host = new URL(registry.url).host;
      const query = new URLSearchParams({
        repository: link.repository,
        limit: String(IMAGE_TAGS_LIMIT),
      });
      const res = await fetchApi.fetch(
        `${base}/registries/${registryPath(registry.ref)}/recent-tags?${query}`,
      );
      if (!res.ok) return { link, tags: [], error: await responseError(res) };
      const body = (await res.json()) as {
        items: { tag: string; digest: string; created?: string }[];
      };
      return {
        link,
        tags: body.items
          .filter(i => /^sha256:[a-f0-9]{64}$/.test(i.digest))
          .map(i => ({
            registry: link.registry,
            repository: link.repository,
            tag: i.tag,
            digest: i.digest,
            created: i.created,
            image: `${host}/${link.repository}:${i.tag}@${i.digest}`,
          })),
      };
    }),
  );
}
