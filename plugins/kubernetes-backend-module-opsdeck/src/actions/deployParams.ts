import { InputError } from '@backstage/errors';
import { parseImageRef } from '@opsdeck/plugin-registry-node';
import { DEFAULT_WATCH_SECONDS, MAX_WATCH_SECONDS } from './rollout';

/** A container name (DNS-1123 label). */
const CONTAINER = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

const field = (body: unknown, key: string) =>
  (body as Record<string, unknown> | undefined)?.[key];

/** The container of an image request: a DNS-1123 label. */
export function parseContainer(body: unknown): string {
  const value = field(body, 'container');
  if (typeof value !== 'string' || !CONTAINER.test(value)) {
    throw new InputError('container is a container name');
  }
  return value;
}

/**
 * The image of an image request: a reference with a tag or a digest that
 * parses with the distribution grammar (checked again by the resolver).
 */
export function parseImage(body: unknown): string {
  const value = field(body, 'image');
  if (typeof value !== 'string' || !parseImageRef(value)) {
    throw new InputError(
      'image is an image reference with a tag or a sha256 digest (registry/repository:tag or registry/repository@sha256:…)',
    );
  }
  return value;
}

/** `toRevision` of a rollback: absent (the previous one) or an integer from 1. */
export function parseToRevision(body: unknown): number | undefined {
  const value = field(body, 'toRevision');
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InputError('toRevision is a revision number');
  }
  return value;
}

/** Seconds to watch the rollout: 0 (do not) to {@link MAX_WATCH_SECONDS}. */
export function parseWatchSeconds(body: unknown): number {
  const value = field(body, 'watchSeconds');
  if (value === undefined) return DEFAULT_WATCH_SECONDS;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 0 ||
    value > MAX_WATCH_SECONDS
  ) {
    throw new InputError(
      `watchSeconds is an integer from 0 to ${MAX_WATCH_SECONDS}`,
    );
  }
  return value;
}

/** The audit meta of a deploy or rollback: images, digest, revisions, rollout state. */
export function deployAuditMeta(outcome: Record<string, any>) {
  const meta: Record<string, unknown> = {};
  for (const key of [
    'container',
    'image',
    'tag',
    'digest',
    'registryRef',
    'previousImage',
    'fromRevision',
    'toRevision',
    'images',
    'previousImages',
  ]) {
    if (outcome[key] !== undefined) meta[key] = outcome[key];
  }
  if (outcome.rollout) {
    meta.rollout = outcome.rollout.state;
    if (outcome.rollout.revision) meta.revision = outcome.rollout.revision;
  }
  return meta;
}
