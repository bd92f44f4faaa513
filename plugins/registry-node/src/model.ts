import type { BackstageCredentials } from '@backstage/backend-plugin-api';

/**
 * One image digest running somewhere, as a reporter (the Kubernetes module
 * for pods, the CMDB for host containers) tells the registry plugin.
 */
export interface RunningImage {
  /**
   * The registry host as the image reference names it, lower case,
   * `host[:port]` (`docker.io` for Docker Hub's short names).
   */
  registry: string;
  /** Repository path in that registry, `team/app` (`library/nginx`). */
  repository: string;
  /** `sha256:<64 hex>`. */
  digest: string;
  /** `pod` (a Kubernetes cluster) or `host` (a CMDB host's container). */
  kind: 'pod' | 'host';
  /** `cluster/namespace/pod` or the host's entity ref. */
  where: string;
  /**
   * The catalog entity a person must be able to see to learn about this
   * place: the cluster resource or the host resource.
   */
  entityRef: string;
}

/**
 * Where running digests are reported. A source is `cluster:<cluster name>`
 * (the Kubernetes module) or `host:<host entity ref>` (the CMDB); each
 * report replaces everything that source reported before.
 */
export interface RunningDigestsService {
  /**
   * Replaces, atomically, what `source` runs with `images` (an empty list
   * says it runs nothing). A source that stops reporting expires.
   */
  report(source: string, images: RunningImage[]): Promise<void>;
}

/** Most images one source may report at once. */
export const MAX_IMAGES_PER_SOURCE = 5000;

/** An image resolved to its digest in a registry opsdeck knows. */
export interface ResolvedImage {
  /** The registry resource it comes from, `resource:default/harbor`. */
  registryRef: string;
  registry: string;
  repository: string;
  /** The tag asked for, when one was. */
  tag?: string;
  /** The manifest digest the registry answered for the tag (or the digest asked for). */
  digest: string;
  /** `registry/repository@digest`: what a container spec is set to. */
  pinned: string;
}

/**
 * Resolves an image reference to its digest through opsdeck's registry
 * plugin, on behalf of a person: the registry must be a catalog registry
 * resource they can see (`opsdeck.registry.read`), the tag or digest must
 * exist there. Throws InputError for a reference that does not parse or a
 * registry opsdeck does not know, NotFoundError for a tag it does not have.
 */
export interface ImageResolverService {
  resolve(
    image: string,
    options: { credentials: BackstageCredentials },
  ): Promise<ResolvedImage>;
}
