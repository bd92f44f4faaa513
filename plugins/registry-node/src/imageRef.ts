import type { RunningImage } from './model';

const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** A path component of the distribution reference grammar. */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/** A registry host: DNS name or IPv4, optional port. */
const HOST =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*(?::[0-9]{1,5})?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const MAX_NAME = 255;

/** True when `value` is a sha256 digest, `sha256:` and 64 lower-case hex. */
export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST.test(value);
}

/**
 * `registry` and `repository` of an image name (`nginx`,
 * `ghcr.io/org/app`, `127.0.0.1:5000/team/app:1.0`), with Docker's
 * defaults (`docker.io`, `library/`); undefined when it does not parse
 * (nothing is guessed).
 */
export function parseImageName(
  name: string,
): { registry: string; repository: string } | undefined {
  if (typeof name !== 'string' || name.length === 0 || name.length > 512) {
    return undefined;
  }
  let rest = name;
  // a digest or tag after the name
  const at = rest.indexOf('@');
  if (at >= 0) rest = rest.slice(0, at);
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    if (!TAG.test(rest.slice(colon + 1))) return undefined;
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  if (
    parts.length > 1 &&
    (parts[0].includes('.') ||
      parts[0].includes(':') ||
      parts[0] === 'localhost')
  ) {
    registry = parts.shift()!.toLocaleLowerCase('en-US');
    if (!HOST.test(registry)) return undefined;
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') {
    registry = 'docker.io';
  }
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  if (parts.length === 0 || !parts.every(p => COMPONENT.test(p))) {
    return undefined;
  }
  const repository = parts.join('/');
  if (repository.length > MAX_NAME) return undefined;
  return { registry, repository };
}

/**
 * The registry, repository and digest of a running container, from the
 * image ID a runtime reports (Kubernetes `imageID`:
 * `docker-pullable://127.0.0.1:5000/team/app@sha256:…`,
 * `docker.io/library/nginx@sha256:…`; a Docker RepoDigest
 * `nginx@sha256:…`). An ID without a repository digest (`sha256:…` alone,
 * the local image ID) says nothing about a registry: undefined.
 */
export function parseImageId(
  imageId: string,
): Pick<RunningImage, 'registry' | 'repository' | 'digest'> | undefined {
  if (typeof imageId !== 'string' || imageId.length > 600) return undefined;
  const id = imageId.replace(/^(docker-pullable|docker):\/\//, '');
  const at = id.lastIndexOf('@');
  if (at <= 0) return undefined;
  const digest = id.slice(at + 1);
  if (!isDigest(digest)) return undefined;
  const name = parseImageName(id.slice(0, at));
  if (!name) return undefined;
  return { ...name, digest };
}

/** A pinnable image reference: a name with a tag, a digest, or both. */
export interface ImageRef {
  /** The registry host as written, lower case (`docker.io` for short names). */
  registry: string;
  /** Repository path in the registry, `team/app`. */
  repository: string;
  /** The tag, when the reference names one (`1.8.3`). */
  tag?: string;
  /** The digest, when the reference is pinned (`sha256:…`). */
  digest?: string;
}

/**
 * An image reference as a container spec takes it, `repo:tag`,
 * `repo@sha256:…` or `repo:tag@sha256:…`, parsed with the distribution
 * grammar; a reference with neither a tag nor a digest (which would mean
 * `latest`, nothing pinned) does not parse. Undefined when it does not
 * parse: nothing is guessed.
 */
export function parseImageRef(ref: string): ImageRef | undefined {
  if (typeof ref !== 'string' || ref.length === 0 || ref.length > 512) {
    return undefined;
  }
  // no whitespace anywhere (other control characters fail the grammar below)
  if (/\s/.test(ref)) return undefined;
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    if (!isDigest(digest)) return undefined;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    if (!TAG.test(tag)) return undefined;
  }
  if (!tag && !digest) return undefined;
  const name = parseImageName(rest);
  if (!name) return undefined;
  return {
    ...name,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** `registry/repository@digest`, the pinned form of an image. */
export function pinnedImage(ref: {
  registry: string;
  repository: string;
  digest: string;
}): string {
  return `${ref.registry}/${ref.repository}@${ref.digest}`;
}
