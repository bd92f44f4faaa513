import type { Entity } from '@backstage/catalog-model';

/** A registry resource as the service uses it (read from the catalog at each request). */
export interface RegistryTarget {
  entity: Entity;
  ref: string;
  url: string;
  /** Vault credential name; undefined for an anonymous registry. */
  credential?: string;
}

/** One tag with its digest and newest created time, for retention and deletion. */
export interface ResolvedTag {
  tag: string;
  digest: string;
  /** The digest and its platform images' digests (what may be running). */
  digests: string[];
  created?: string;
}
