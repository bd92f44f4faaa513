import { InputError } from '@backstage/errors';
import { isRepositoryName } from '@opsdeck/plugin-registry-common';

/**
 * Names as the OCI distribution spec defines them; anything else is refused
 * before a request is made (a name is put into a URL path). The repository
 * grammar lives in registry-common (components name repositories too).
 */
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$/;

export function isRepository(value: string): boolean {
  return isRepositoryName(value);
}

export function isTag(value: string): boolean {
  return TAG.test(value);
}

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

export function checkRepository(value: string): string {
  if (!isRepository(value)) {
    throw new InputError(`Not a repository name: ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkTag(value: string): string {
  if (!isTag(value))
    throw new InputError(`Not a tag: ${JSON.stringify(value)}`);
  return value;
}

/** A tag or a digest. */
export function checkReference(value: string): string {
  if (!isTag(value) && !isDigest(value)) {
    throw new InputError(`Not a tag or digest: ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * The `last` parameter of the next page from a registry's `Link` header
 * (`</v2/_catalog?last=x&n=100>; rel="next"`). Only the parameter is taken:
 * the URL itself, which a hostile registry controls, is never followed.
 */
export function nextFromLink(link: string | null): string | undefined {
  if (!link) return undefined;
  const match = /<([^>]*)>\s*;\s*rel="?next"?/.exec(link);
  if (!match) return undefined;
  const query = match[1].split('?')[1];
  if (!query) return undefined;
  const last = new URLSearchParams(query).get('last');
  return last || undefined;
}
