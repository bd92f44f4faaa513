import type { Registry as RegistrySummary } from '../schema/openapi.client.generated';

/** The host (and port) of a registry's URL, as image references name it. */
export function registryHost(registry: Pick<RegistrySummary, 'url'>): string {
  return new URL(registry.url).host;
}

/** `host/repository:tag`, the value the deploy actions take (the server resolves the tag). */
export function imageValue(
  registry: Pick<RegistrySummary, 'url'>,
  repository: string,
  tag: string,
): string {
  return `${registryHost(registry)}/${repository}:${tag}`;
}

/**
 * The registry, repository and tag of a value this field wrote, when its host
 * is one of `registries`; anything else (a digest, a foreign host) gives
 * undefined and the field starts empty.
 */
export function parseImageValue(
  value: string | undefined,
  registries: RegistrySummary[],
): { registry: RegistrySummary; repository: string; tag: string } | undefined {
  if (!value) return undefined;
  const slash = value.indexOf('/');
  const colon = value.lastIndexOf(':');
  if (slash <= 0 || colon < slash || value.includes('@')) return undefined;
  const host = value.slice(0, slash);
  const registry = registries.find(r => registryHost(r) === host);
  if (!registry) return undefined;
  const repository = value.slice(slash + 1, colon);
  const tag = value.slice(colon + 1);
  return repository && tag ? { registry, repository, tag } : undefined;
}

/** Names listed at most per registry or repository (pages of 1,000). */
export const MAX_LISTED = 10_000;

/** Every name of a paged list, up to MAX_LISTED; `truncated` when more exist. */
export async function listAll(
  page: (last?: string) => Promise<{ items: string[]; next?: string }>,
): Promise<{ names: string[]; truncated: boolean }> {
  const names: string[] = [];
  let last: string | undefined;
  for (;;) {
    const { items, next } = await page(last);
    names.push(...items);
    if (!next || items.length === 0) return { names, truncated: false };
    if (names.length >= MAX_LISTED) return { names, truncated: true };
    last = next;
  }
}
