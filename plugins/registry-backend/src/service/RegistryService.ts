import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  DeletedTag,
  ManifestSummary,
  REGISTRY_CREDENTIAL_ANNOTATION,
  REGISTRY_RESOURCE_TYPE,
  REGISTRY_URL_ANNOTATION,
  RecentTags,
  RegistrySummary,
  RepositoryPage,
  RetentionApplied,
  RetentionDryRun,
  RetentionEntry,
  TagPage,
} from '@opsdeck/plugin-registry-common';
import { secretTargetOf, VaultService } from '@opsdeck/plugin-vault-node';
import { coded } from '@opsdeck/plugin-opsdeck-node';
import { checkReference, checkRepository, checkTag } from '../client/grammar';
import { summarizeManifest } from '../client/manifests';
import { pageOfTags } from '../client/pageOfTags';
import { newestTags } from '../client/recentTags';
import { RegistryClient } from '../client/RegistryClient';
import type { RegistryTarget, ResolvedTag } from '../model';
import type { RunningDigests, StoredPlace } from '../running/RunningDigests';
import { TagListCache } from './TagListCache';

const GC_GUIDANCE =
  'The registry frees the blobs only when its garbage collection runs (`registry garbage-collect <config>` on the registry host, with the registry read-only or stopped); it cannot be started over HTTP.';

/** Tags resolved at most for a shared-digest check or a retention dry run. */
const MAX_RESOLVED_TAGS = 2000;

function registryUrl(entity: Entity): string | undefined {
  const raw = entity.metadata.annotations?.[REGISTRY_URL_ANNOTATION];
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    if (url.username || url.password || url.search || url.hash)
      return undefined;
    return url.toString();
  } catch {
    return undefined;
  }
}

function isRegistry(entity: Entity): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'resource' &&
    (entity.spec as any)?.type === REGISTRY_RESOURCE_TYPE &&
    registryUrl(entity) !== undefined
  );
}

/**
 * Browses and prunes Docker Registry v2 / OCI registries that the catalog
 * describes. The registry's login is taken out of the vault for each
 * operation (use `registry`, for the registry resource, on behalf of the
 * person) and never leaves the service.
 */
export class RegistryService {
  private readonly tagLists: TagListCache;

  constructor(
    private readonly options: {
      catalog: CatalogService;
      vault: Pick<VaultService, 'getSecret'>;
      running: RunningDigests;
      /** How long a registry's unpaged tag list serves further pages (ms, 0 = off; 10 s). */
      tagListTtlMs?: number;
    },
  ) {
    this.tagLists = new TagListCache({
      ttlMs: options.tagListTtlMs ?? 10_000,
    });
  }

  /** The registry resources the caller can see in the catalog. */
  async list(credentials: BackstageCredentials): Promise<RegistrySummary[]> {
    const { items } = await this.options.catalog.getEntities(
      { filter: { kind: 'resource', 'spec.type': REGISTRY_RESOURCE_TYPE } },
      { credentials },
    );
    return items.filter(isRegistry).map(entity => {
      const spec = (entity.spec ?? {}) as Record<string, unknown>;
      const summary: RegistrySummary = {
        ref: stringifyEntityRef(entity),
        title: entity.metadata.title ?? entity.metadata.name,
        url: registryUrl(entity)!,
        authenticated: Boolean(
          entity.metadata.annotations?.[REGISTRY_CREDENTIAL_ANNOTATION],
        ),
      };
      if (typeof spec.owner === 'string') summary.owner = spec.owner;
      return summary;
    });
  }

  /** The registry resource `namespace/name`, read with the caller's credentials. */
  async target(
    namespace: string,
    name: string,
    credentials: BackstageCredentials,
  ): Promise<RegistryTarget> {
    const ref = stringifyEntityRef({ kind: 'resource', namespace, name });
    const entity = await this.options.catalog.getEntityByRef(ref, {
      credentials,
    });
    if (!entity || !isRegistry(entity)) {
      throw new NotFoundError(`No registry ${ref}`);
    }
    return {
      entity,
      ref,
      url: registryUrl(entity)!,
      credential:
        entity.metadata.annotations?.[REGISTRY_CREDENTIAL_ANNOTATION] ||
        undefined,
    };
  }

  async repositories(
    target: RegistryTarget,
    actor: string,
    limit: number,
    last?: string,
  ): Promise<RepositoryPage> {
    if (last !== undefined) checkRepository(last);
    const client = await this.client(target, actor);
    return withoutUndefinedNext(await client.catalog(limit, last));
  }

  async tags(
    target: RegistryTarget,
    actor: string,
    repository: string,
    limit: number,
    last?: string,
  ): Promise<TagPage> {
    checkRepository(repository);
    if (last !== undefined) checkTag(last);
    // the vault releases the credential (or refuses) before any cached page
    const client = await this.client(target, actor);
    const key = TagListCache.key({ ...target, repository });
    const cached = this.tagLists.get(key);
    if (cached) {
      return {
        repository,
        ...withoutUndefinedNext(pageOfTags(cached, limit, last)),
      };
    }
    const { all, ...page } = await client.tagsAnswer(repository, limit, last);
    if (all) this.tagLists.set(key, target.url, repository, all);
    return { repository, ...withoutUndefinedNext(page) };
  }

  async manifest(
    target: RegistryTarget,
    actor: string,
    repository: string,
    reference: string,
    credentials: BackstageCredentials,
  ): Promise<ManifestSummary> {
    checkRepository(repository);
    checkReference(reference);
    const client = await this.client(target, actor);
    const summary = await summarizeManifest(client, repository, reference);
    const running = await this.runningPlaces(target, repository, [
      summary.digest,
      ...summary.images.map(i => i.digest),
    ]);
    const visible = await this.visible(running, credentials);
    return {
      ...summary,
      running: visible.map(({ kind, where, digest }) => ({
        kind,
        where,
        digest,
      })),
    };
  }

  /**
   * The `limit` newest tags of `repository` by created time, newest first,
   * with where each runs as far as the caller may see (see newestTags for
   * the reads). The tag list may be the one kept for paging (10 s).
   */
  async recentTags(
    target: RegistryTarget,
    actor: string,
    repository: string,
    limit: number,
    credentials: BackstageCredentials,
  ): Promise<RecentTags> {
    checkRepository(repository);
    const client = await this.client(target, actor);
    const key = TagListCache.key({ ...target, repository });
    const tags =
      this.tagLists.get(key) ??
      (await client.allTags(repository).catch(error => {
        if (error instanceof NotFoundError) {
          throw new NotFoundError(
            `No repository ${repository} in ${target.ref}`,
          );
        }
        throw error;
      }));
    if (tags.length > MAX_RESOLVED_TAGS) {
      throw coded(
        new ConflictError(
          `${repository} has ${tags.length} tags, more than opsdeck ranks by created time (${MAX_RESOLVED_TAGS})`,
        ),
        'registry-too-many-tags',
        { repository, count: tags.length, max: MAX_RESOLVED_TAGS },
      );
    }
    const newest = await newestTags(client, repository, tags, limit);
    const digests = [...new Set(newest.flatMap(t => t.digests))];
    const places =
      digests.length === 0
        ? []
        : await this.visible(
            await this.runningPlaces(target, repository, digests),
            credentials,
          );
    return {
      repository,
      total: tags.length,
      items: newest.map(({ digests: own, ...entry }) => ({
        ...entry,
        running: places
          .filter(p => own.includes(p.digest))
          .map(({ kind, where, digest }) => ({ kind, where, digest })),
      })),
    };
  }

  /**
   * Deletes `tag` by deleting the manifest it points at (the registry API
   * deletes manifests, not tags). Refused while the digest or one of its
   * platform images runs, and when other tags point at the same digest
   * unless `confirmDigest` names that digest (they would go too).
   */
  async deleteTag(
    target: RegistryTarget,
    actor: string,
    repository: string,
    tag: string,
    confirmDigest: string | undefined,
    credentials: BackstageCredentials,
  ): Promise<DeletedTag> {
    checkRepository(repository);
    checkTag(tag);
    const client = await this.client(target, actor);
    const summary = await summarizeManifest(client, repository, tag);
    const digest = summary.digest;
    if (confirmDigest !== undefined && confirmDigest !== digest) {
      throw coded(
        new ConflictError(
          `${repository}:${tag} now points at ${digest}, not ${confirmDigest}; look again before deleting`,
        ),
        'registry-tag-moved',
        { image: `${repository}:${tag}`, digest },
      );
    }
    const running = await this.runningPlaces(target, repository, [
      digest,
      ...summary.images.map(i => i.digest),
    ]);
    if (running.length > 0) {
      const places = await this.describe(running, credentials);
      throw coded(
        new ConflictError(
          `${repository}:${tag} (${digest}) is running on ${places}; it is not deleted`,
        ),
        'registry-image-running',
        { image: `${repository}:${tag}`, places },
      );
    }
    const tags = await client.allTags(repository);
    if (tags.length > MAX_RESOLVED_TAGS) {
      throw coded(
        new ConflictError(
          `${repository} has ${tags.length} tags, more than opsdeck checks for a shared digest (${MAX_RESOLVED_TAGS})`,
        ),
        'registry-too-many-tags',
        { repository, count: tags.length, max: MAX_RESOLVED_TAGS },
      );
    }
    const sharing: string[] = [];
    // tags whose index holds this digest as a platform image: deleting it
    // breaks them (and what runs them), confirmed or not
    const holding: string[] = [];
    for (const other of tags) {
      if (other === tag) continue;
      const manifest = await client.manifest(repository, other);
      if (manifest.digest === digest) sharing.push(other);
      else if (
        Array.isArray(manifest.body?.manifests) &&
        manifest.body.manifests.some((m: any) => m?.digest === digest)
      ) {
        holding.push(other);
      }
    }
    if (holding.length > 0) {
      throw coded(
        new ConflictError(
          `${repository}:${tag} (${digest}) is a platform image of ${holding.join(
            ', ',
          )}; deleting it would break them, it is not deleted`,
        ),
        'registry-platform-image',
        { image: `${repository}:${tag}`, tags: holding.join(', ') },
      );
    }
    if (sharing.length > 0 && confirmDigest !== digest) {
      throw coded(
        new ConflictError(
          `Deleting ${repository}:${tag} deletes ${digest}, which tags ${sharing.join(
            ', ',
          )} point at too; confirm with confirmDigest=${digest}`,
        ),
        'registry-digest-shared',
        { image: `${repository}:${tag}`, digest, tags: sharing.join(', ') },
      );
    }
    try {
      await client.deleteManifest(repository, digest);
    } finally {
      this.tagLists.invalidate(target.url, repository);
    }
    return {
      repository,
      tag,
      digest,
      removedTags: [tag, ...sharing].sort(),
      garbageCollection: GC_GUIDANCE,
    };
  }

  /**
   * What "keep the last `keepLast` by created time, keep what runs" would
   * delete in `repository`. Nothing is deleted. A tag whose digest a kept
   * tag shares is kept too (deleting it would delete the kept one).
   */
  async retentionDryRun(
    target: RegistryTarget,
    actor: string,
    repository: string,
    keepLast: number,
  ): Promise<RetentionDryRun> {
    checkRepository(repository);
    const client = await this.client(target, actor);
    const tags = await client.allTags(repository);
    if (tags.length > MAX_RESOLVED_TAGS) {
      throw coded(
        new ConflictError(
          `${repository} has ${tags.length} tags, more than a dry run resolves (${MAX_RESOLVED_TAGS})`,
        ),
        'registry-too-many-tags',
        { repository, count: tags.length, max: MAX_RESOLVED_TAGS },
      );
    }
    const resolved: ResolvedTag[] = [];
    for (const tag of tags) {
      const s = await summarizeManifest(client, repository, tag);
      resolved.push({
        tag,
        digest: s.digest,
        digests: [s.digest, ...s.images.map(i => i.digest)],
        ...(s.created ? { created: s.created } : {}),
      });
    }
    // Newest first; a tag without a created time is the oldest.
    resolved.sort(
      (a, b) =>
        (b.created ? Date.parse(b.created) : 0) -
          (a.created ? Date.parse(a.created) : 0) || a.tag.localeCompare(b.tag),
    );
    const reason = new Map<string, RetentionEntry['reason']>();
    const keptDigests = new Set<string>();
    for (const [i, r] of resolved.entries()) {
      if (i < keepLast) reason.set(r.tag, 'newest');
      else if (
        (await this.runningPlaces(target, repository, r.digests)).length > 0
      ) {
        reason.set(r.tag, 'running');
      }
      // a kept index keeps its platform images (a tag may point at one)
      if (reason.has(r.tag)) r.digests.forEach(d => keptDigests.add(d));
    }
    const keep: RetentionEntry[] = [];
    const remove: RetentionEntry[] = [];
    for (const r of resolved) {
      const entry: RetentionEntry = { tag: r.tag, digest: r.digest };
      if (r.created) entry.created = r.created;
      const why =
        reason.get(r.tag) ?? (keptDigests.has(r.digest) ? 'shared' : undefined);
      if (why) keep.push({ ...entry, reason: why });
      else remove.push(entry);
    }
    return { repository, keepLast, keep, delete: remove };
  }

  /**
   * Deletes what the dry run of the same rule would delete, when `digests`
   * is exactly the set of digests the dry run lists now (what the caller
   * saw); otherwise nothing is deleted. Each digest, with the platform
   * images of an index, is checked for running again right before its
   * deletion.
   */
  async retentionApply(
    target: RegistryTarget,
    actor: string,
    repository: string,
    keepLast: number,
    digests: string[],
    credentials: BackstageCredentials,
  ): Promise<RetentionApplied> {
    const plan = await this.retentionDryRun(
      target,
      actor,
      repository,
      keepLast,
    );
    const planned = [...new Set(plan.delete.map(e => e.digest))].sort();
    const confirmed = [...new Set(digests)].sort();
    if (planned.join(',') !== confirmed.join(',')) {
      throw coded(
        new ConflictError(
          `The retention rule now deletes ${planned.length} digest(s) of ${repository}, not the ${confirmed.length} confirmed; run the dry run again`,
        ),
        'registry-retention-changed',
        { repository, planned: planned.length, confirmed: confirmed.length },
      );
    }
    const client = await this.client(target, actor);
    for (const digest of planned) {
      // the digest and, for an index, its platform images: a pod started
      // since the plan from one of them needs the index kept
      const { images } = await summarizeManifest(client, repository, digest);
      const running = await this.runningPlaces(target, repository, [
        digest,
        ...images.map(i => i.digest),
      ]);
      if (running.length > 0) {
        const places = await this.describe(running, credentials);
        throw coded(
          new ConflictError(
            `${repository}@${digest} started running on ${places}; stopped before deleting it`,
          ),
          'registry-image-running',
          { image: `${repository}@${digest}`, places },
        );
      }
      try {
        await client.deleteManifest(repository, digest);
      } finally {
        this.tagLists.invalidate(target.url, repository);
      }
    }
    return { repository, deleted: plan.delete, garbageCollection: GC_GUIDANCE };
  }

  /** Every place running one of `digests`, whoever may see it. */
  private runningPlaces(
    target: RegistryTarget,
    repository: string,
    digests: string[],
  ): Promise<StoredPlace[]> {
    return this.options.running.lookup(
      new URL(target.url).host,
      repository,
      digests,
    );
  }

  /** The places whose cluster or host the caller can see in the catalog. */
  private async visible(
    places: StoredPlace[],
    credentials: BackstageCredentials,
  ): Promise<StoredPlace[]> {
    if (places.length === 0) return [];
    const refs = [...new Set(places.map(p => p.entityRef))];
    const { items } = await this.options.catalog.getEntitiesByRefs(
      {
        entityRefs: refs,
        fields: ['kind', 'metadata.namespace', 'metadata.name'],
      },
      { credentials },
    );
    const seen = new Set(
      items.flatMap((e, i) => (e ? [refs[i].toLocaleLowerCase('en-US')] : [])),
    );
    return places.filter(p => seen.has(p.entityRef.toLocaleLowerCase('en-US')));
  }

  /**
   * Names the places the caller may see; the others are only counted (a
   * refusal must not tell what runs on a cluster or host they cannot see).
   */
  private async describe(
    places: StoredPlace[],
    credentials: BackstageCredentials,
  ): Promise<string> {
    const visible = await this.visible(places, credentials);
    const hidden = places.length - visible.length;
    const named = [...new Set(visible.map(p => p.where))];
    if (hidden > 0) {
      named.push(`${hidden} place(s) you cannot see`);
    }
    return named.join(', ');
  }

  /** A client logged in with the registry's vault credential, if it has one. */
  private async client(target: RegistryTarget, actor: string) {
    if (!target.credential) return new RegistryClient(target.url);
    const credential = target.credential;
    const secret = await this.options.vault
      .getSecret(credential, {
        use: 'registry',
        for: secretTargetOf(target.entity),
        actor,
      })
      .catch(error => {
        // the vault's refusal, said as what it means for this registry
        if (error instanceof NotFoundError) {
          throw coded(
            new ConflictError(
              `The registry's vault credential ${credential} does not exist`,
            ),
            'registry-credential-missing',
            { credential },
          );
        }
        if (error instanceof NotAllowedError) {
          throw coded(
            new NotAllowedError(
              `The registry's vault credential ${credential} may not be used here: ${error.message}`,
            ),
            'registry-credential-denied',
            { credential },
          );
        }
        throw error;
      });
    if (secret.type !== 'password') {
      throw coded(
        new NotAllowedError(
          `Vault credential ${target.credential} must be a password (with a username for basic auth, alone for a bearer token)`,
        ),
        'registry-credential-type',
        { credential: target.credential },
      );
    }
    return new RegistryClient(target.url, {
      ...(secret.username ? { username: secret.username } : {}),
      password: secret.password,
    });
  }
}

function withoutUndefinedNext<T extends { next?: string }>(page: T): T {
  if (page.next === undefined) delete page.next;
  return page;
}
