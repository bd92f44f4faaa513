/**
 * Annotation of a registry resource (`kind: Resource`, `spec.type:
 * registry`): the registry's base URL, `https://registry.example.com` (the
 * Docker Registry HTTP API v2 lives under `<url>/v2/`).
 */
export const REGISTRY_URL_ANNOTATION = 'opsdeck.io/registry-url';

/**
 * Annotation of a registry resource: the name of the vault credential that
 * logs in to it (a password with a username for basic auth, or a password
 * alone used as a bearer token). The vault must allow the use `registry`
 * for the resource. Without it the registry is read anonymously.
 */
export const REGISTRY_CREDENTIAL_ANNOTATION = 'opsdeck.io/registry-credential';

/**
 * Annotation of a catalog Component: the image repositories it ships, a
 * comma-separated list of `resource:<namespace>/<name>/<repository>` — the
 * full ref of a registry resource, then the repository path in it, e.g.
 * `resource:default/harbor/shop/web, resource:default/harbor/shop/worker`.
 * The registry ref is never shortened (a repository path has slashes too, so
 * `harbor/shop/web` could not say where the ref ends). Parsed by
 * `parseImageRepositories`; an entry that does not fit is reported, never
 * guessed.
 */
export const IMAGE_REPOSITORIES_ANNOTATION = 'opsdeck.io/image-repositories';

/** One repository a component names (IMAGE_REPOSITORIES_ANNOTATION). */
export interface ImageRepositoryLink {
  /** Registry resource ref, lower-case kind: `resource:default/harbor`. */
  registry: string;
  /** Repository path in that registry: `shop/web`. */
  repository: string;
}

/** Why an entry of IMAGE_REPOSITORIES_ANNOTATION was not taken. */
export type ImageRepositoryProblemReason =
  /** Nothing between two commas (or the whole value is blank). */
  | 'empty'
  /** Does not start with `resource:<namespace>/<name>/`. */
  | 'registry'
  /** The repository path is not an OCI distribution repository name. */
  | 'repository'
  /** The same registry and repository named twice. */
  | 'duplicate';

export interface ImageRepositoryProblem {
  /** The entry as written (trimmed). */
  entry: string;
  reason: ImageRepositoryProblemReason;
}

/** The links of an annotation value, and the entries that were refused. */
export interface ParsedImageRepositories {
  links: ImageRepositoryLink[];
  problems: ImageRepositoryProblem[];
}

/** `spec.type` of a registry resource. */
export const REGISTRY_RESOURCE_TYPE = 'registry';

/** A registry as the catalog describes it (never its credential's secret). */
export interface RegistrySummary {
  /** Entity ref, `resource:default/harbor`. */
  ref: string;
  title: string;
  url: string;
  owner?: string;
  /** Whether a vault credential is named (the name only). */
  authenticated: boolean;
}

/** A page of repository names, in the registry's (lexical) order. */
export interface RepositoryPage {
  items: string[];
  /** Pass as `last` for the next page; absent on the last page. */
  next?: string;
}

/** A page of a repository's tag names. */
export interface TagPage {
  repository: string;
  items: string[];
  next?: string;
}

/** `os/architecture[/variant]` of an image. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** One layer of an image manifest. */
export interface Layer {
  digest: string;
  mediaType: string;
  size: number;
}

/** One image (a single-platform manifest). */
export interface PlatformImage {
  /** Digest of the image manifest. */
  digest: string;
  mediaType: string;
  platform?: Platform;
  /** Config blob + layers, compressed as stored. */
  size: number;
  /** `created` of the image config (ISO time), when it has one. */
  created?: string;
  layers: Layer[];
  /** An attestation or other artifact in an index rather than a runnable image. */
  artifact?: boolean;
}

/** What a tag points at: one image or an index of images per platform. */
export interface ManifestSummary {
  repository: string;
  reference: string;
  /** Digest of the manifest the tag points at (an index for multi-platform images). */
  digest: string;
  mediaType: string;
  kind: 'index' | 'image';
  /** Newest `created` of its images. */
  created?: string;
  /** Total size of its images (a layer shared by two platforms counts once). */
  size: number;
  images: PlatformImage[];
  /** Where the digest (or one of its images) runs, when it does. */
  running: RunningPlace[];
}

/** Where a digest runs: a cluster's pod or a host's container. */
export interface RunningPlace {
  /** `host` (CMDB facts) or `pod` (a Kubernetes cluster). */
  kind: 'host' | 'pod';
  /** Host entity ref or `cluster/namespace/pod`. */
  where: string;
  digest: string;
}

/** The result of deleting a tag: its manifest, and every tag that went with it. */
export interface DeletedTag {
  repository: string;
  tag: string;
  digest: string;
  /** Tags that pointed at the same digest and are gone too (the deleted tag included). */
  removedTags: string[];
  /** A registry keeps the blobs until its garbage collection runs. */
  garbageCollection: string;
}

/** One tag in a retention dry run. */
export interface RetentionEntry {
  tag: string;
  digest: string;
  created?: string;
  /** Why it is kept: `newest` (among the last N), `running`, `shared` (its digest is kept by another tag). */
  reason?: 'newest' | 'running' | 'shared';
}

/** What a retention rule would delete in one repository (nothing is deleted). */
export interface RetentionDryRun {
  repository: string;
  keepLast: number;
  keep: RetentionEntry[];
  delete: RetentionEntry[];
}

/** What applying a retention rule deleted. */
export interface RetentionApplied {
  repository: string;
  deleted: RetentionEntry[];
  garbageCollection: string;
}

/** One of a repository's newest tags, as the component page's card shows it. */
export interface RecentTag {
  tag: string;
  /** What the tag points at now (index or image manifest). */
  digest: string;
  /** The newest created time of its images (from their configs). */
  created?: string;
  /** Bytes of its layers and configs (each blob counted once). */
  size: number;
  /** Where the digest or one of its platform images runs, as far as the caller may see. */
  running: RunningPlace[];
}

/** A repository's newest tags by created time, newest first. */
export interface RecentTags {
  repository: string;
  /** How many tags the repository has. */
  total: number;
  items: RecentTag[];
}
