import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  InputError,
  NotAllowedError,
  NotFoundError,
  ResponseError,
} from '@backstage/errors';
import { isDigest, parseImageRef, pinnedImage } from './imageRef';
import type { ImageResolverService, ResolvedImage } from './model';

/** The host (`host[:port]`, lower case) of a registry resource's URL. */
function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host.toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

/**
 * Resolves images through the registry plugin's API
 * (`GET /api/registry/registries`, `GET …/manifest`) with a token on behalf
 * of the person: the registry resources are the ones they can see in the
 * catalog, read with `opsdeck.registry.read`, and the registry's own
 * credential stays in the registry plugin.
 */
export class ImageResolverClient implements ImageResolverService {
  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      fetch?: typeof fetch;
    },
  ) {}

  async resolve(
    image: string,
    options: { credentials: BackstageCredentials },
  ): Promise<ResolvedImage> {
    const ref = parseImageRef(image);
    if (!ref) {
      throw new InputError(
        'image is an image reference with a tag or a sha256 digest (registry/repository:tag or registry/repository@sha256:…)',
      );
    }
    const registries = (await this.get(options.credentials, '/registries')) as {
      items?: { ref: string; url: string }[];
    };
    const registry = (registries.items ?? []).find(
      r => hostOf(r.url) === ref.registry,
    );
    if (!registry) {
      throw new InputError(
        `${ref.registry} is not a registry opsdeck knows (no registry resource you can see has that host)`,
      );
    }
    const [, namespace, name] =
      /^[^:]+:([^/]+)\/(.+)$/.exec(registry.ref) ?? [];
    if (!namespace || !name) {
      throw new InputError(`Registry ${registry.ref} is not an entity ref`);
    }
    const digestOf = async (reference: string): Promise<string> => {
      const manifest = (await this.get(
        options.credentials,
        `/registries/${encodeURIComponent(namespace)}/${encodeURIComponent(
          name,
        )}/manifest?${new URLSearchParams({
          repository: ref.repository,
          reference,
        })}`,
      )) as { digest?: unknown };
      if (!isDigest(manifest.digest)) {
        throw new Error(`Registry ${registry.ref} answered no sha256 digest`);
      }
      return manifest.digest;
    };
    const digest = await digestOf(ref.digest ?? ref.tag!);
    if (ref.digest && digest !== ref.digest) {
      throw new InputError(
        `${registry.ref} has ${ref.repository}@${ref.digest} as ${digest}`,
      );
    }
    // repo:tag@digest: a runtime pulls the digest and ignores the tag, so
    // the tag (shown in the answer, the audit and an approval) must be
    // what the registry says it points at now
    if (ref.digest && ref.tag) {
      const tagged = await digestOf(ref.tag);
      if (tagged !== ref.digest) {
        throw new InputError(
          `${ref.repository}:${ref.tag} is ${tagged}, not ${ref.digest}; name the image by one of them`,
        );
      }
    }
    return {
      registryRef: registry.ref,
      registry: ref.registry,
      repository: ref.repository,
      ...(ref.tag ? { tag: ref.tag } : {}),
      digest,
      pinned: pinnedImage({ ...ref, digest }),
    };
  }

  private async get(
    credentials: BackstageCredentials,
    path: string,
  ): Promise<unknown> {
    const [base, { token }] = await Promise.all([
      this.options.discovery.getBaseUrl('registry'),
      this.options.auth.getPluginRequestToken({
        onBehalfOf: credentials,
        targetPluginId: 'registry',
      }),
    ]);
    const response = await (this.options.fetch ?? fetch)(`${base}${path}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    });
    if (response.ok) return response.json();
    const error = await ResponseError.fromResponse(response);
    const message = error.body?.error?.message ?? error.message;
    if (response.status === 404) throw new NotFoundError(message);
    if (response.status === 403) throw new NotAllowedError(message);
    if (response.status === 400) throw new InputError(message);
    throw error;
  }
}
