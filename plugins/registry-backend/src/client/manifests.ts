import { ServiceUnavailableError } from '@backstage/errors';
import type {
  Layer,
  ManifestSummary,
  Platform,
  PlatformImage,
} from '@opsdeck/plugin-registry-common';
import { isDigest } from './grammar';
import { FetchedManifest, MEDIA, RegistryClient } from './RegistryClient';

const INDEX_TYPES: string[] = [MEDIA.ociIndex, MEDIA.dockerList];
const IMAGE_TYPES: string[] = [MEDIA.ociManifest, MEDIA.dockerManifest];
/** Images of an index fetched at most (one request each, plus their configs). */
const MAX_IMAGES = 32;

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? value
    : 0;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

function platformOf(value: any): Platform | undefined {
  const os = str(value?.os);
  const architecture = str(value?.architecture);
  if (!os || !architecture) return undefined;
  const variant = str(value?.variant);
  return variant ? { os, architecture, variant } : { os, architecture };
}

function descriptors(value: unknown): any[] {
  return Array.isArray(value)
    ? value.filter(
        d => d && typeof d === 'object' && isDigest(String(d.digest)),
      )
    : [];
}

/** One image manifest: its layers and config (for created and platform). */
async function imageOf(
  client: RegistryClient,
  repository: string,
  digest: string,
  mediaType: string,
  body: any,
  platform?: Platform,
  artifact?: boolean,
): Promise<PlatformImage> {
  const layers: Layer[] = descriptors(body?.layers).map(l => ({
    digest: l.digest,
    mediaType: String(l.mediaType ?? ''),
    size: num(l.size),
  }));
  const config = descriptors([body?.config])[0];
  const configBody =
    config &&
    !artifact &&
    /config|container\.image/.test(String(config.mediaType))
      ? await client.config(repository, config.digest)
      : undefined;
  const created = str(configBody?.created);
  const image: PlatformImage = {
    digest,
    mediaType,
    size: layers.reduce((sum, l) => sum + l.size, 0) + num(config?.size),
    layers,
  };
  const p = platform ?? platformOf(configBody);
  if (p) image.platform = p;
  if (created && !Number.isNaN(Date.parse(created))) image.created = created;
  if (artifact) image.artifact = true;
  return image;
}

/**
 * What a tag or digest points at: an OCI index / Docker manifest list is
 * resolved per platform (each image's manifest and config fetched), an image
 * manifest stands alone. Docker schema 1 and unknown media types are refused.
 */
export async function summarizeManifest(
  client: RegistryClient,
  repository: string,
  reference: string,
): Promise<Omit<ManifestSummary, 'running'>> {
  const top = await client.manifest(repository, reference);
  return summarizeFetched(client, repository, reference, top);
}

/**
 * {@link summarizeManifest} of a manifest already fetched by `reference`:
 * only what it points at (platform manifests, configs) is read.
 */
export async function summarizeFetched(
  client: RegistryClient,
  repository: string,
  reference: string,
  top: FetchedManifest,
): Promise<Omit<ManifestSummary, 'running'>> {
  const mediaType = top.mediaType;
  let images: PlatformImage[];
  let kind: ManifestSummary['kind'];
  if (INDEX_TYPES.includes(mediaType)) {
    kind = 'index';
    const entries = descriptors(top.body?.manifests).slice(0, MAX_IMAGES);
    images = [];
    for (const entry of entries) {
      const platform = platformOf(entry.platform);
      const artifact =
        !platform ||
        platform.os === 'unknown' ||
        Boolean(entry.annotations?.['vnd.docker.reference.type']);
      const child = await client.manifest(repository, entry.digest);
      if (!IMAGE_TYPES.includes(child.mediaType)) continue;
      images.push(
        await imageOf(
          client,
          repository,
          entry.digest,
          child.mediaType,
          child.body,
          platform,
          artifact,
        ),
      );
    }
  } else if (IMAGE_TYPES.includes(mediaType)) {
    kind = 'image';
    images = [
      await imageOf(client, repository, top.digest, mediaType, top.body),
    ];
  } else {
    throw new ServiceUnavailableError(
      `${repository}:${reference} has a manifest of type ${
        mediaType || 'unknown'
      } (only OCI and Docker schema 2 are read)`,
    );
  }
  const seen = new Set<string>();
  let size = 0;
  for (const image of images) {
    for (const blob of image.layers) {
      if (!seen.has(blob.digest)) size += blob.size;
      seen.add(blob.digest);
    }
    size += image.size - image.layers.reduce((s, l) => s + l.size, 0);
  }
  const created = images
    .map(i => i.created)
    .filter((c): c is string => Boolean(c))
    .sort((a, b) => Date.parse(b) - Date.parse(a))[0];
  return {
    repository,
    reference,
    digest: top.digest,
    mediaType,
    kind,
    size,
    images,
    ...(created ? { created } : {}),
  };
}
