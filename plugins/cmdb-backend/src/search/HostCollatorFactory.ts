import type {
  DocumentCollatorFactory,
  IndexableDocument,
} from '@backstage/plugin-search-common';
import type { HostDetail } from '@opsdeck/plugin-cmdb-common';
import {
  cmdbHostReadPermission,
  entityCatalogPath,
} from '@opsdeck/plugin-opsdeck-common';
import { Readable } from 'node:stream';
import type { HostIndexReader } from '@opsdeck/plugin-cmdb-node';

/** The search document type of CMDB hosts. */
export const HOST_DOCUMENT_TYPE = 'opsdeck-host';

/** A CMDB host in the search index: its identity and last collected facts. */
export interface HostDocument extends IndexableDocument {
  name: string;
  entityRef: string;
  address: string;
  environment: string;
  owner: string;
  system?: string;
  tags: string[];
  /** reachable, unreachable or unknown (never collected). */
  reachability: 'reachable' | 'unreachable' | 'unknown';
  os?: string;
  kernel?: string;
  ips: string[];
  collectedAt?: string;
}

function reachability(host: HostDetail): HostDocument['reachability'] {
  if (host.reachable === null) return 'unknown';
  return host.reachable ? 'reachable' : 'unreachable';
}

/** Fragment that sets a host document's location apart from its entity's. */
export const HOST_LOCATION_FRAGMENT = '#host-facts';

/**
 * The host's catalog page (the host facts card is there), with
 * {@link HOST_LOCATION_FRAGMENT}: Backstage's Lunr engine (the search engine
 * on SQLite) keys documents of every type by location in one store, so a host
 * document at the same location as the catalog's own document of the entity
 * would replace it, and the catalog result (visible to every user) would
 * show the host's facts.
 */
function entityLocation(entityRef: string): string {
  const path =
    entityCatalogPath(entityRef) ??
    `/catalog/default/resource/${encodeURIComponent(entityRef)}`;
  return `${path}${HOST_LOCATION_FRAGMENT}`;
}

export function hostToDocument(host: HostDetail): HostDocument {
  const state = reachability(host);
  const ips = host.ips ?? [];
  // the words a person searches for: name, address, IPs, OS, kernel, state
  const text = [
    host.address,
    ...ips,
    host.os,
    host.kernel,
    state,
    host.error,
    host.environment,
    host.owner,
    host.system,
    ...host.tags,
    host.description,
  ]
    .filter(Boolean)
    .join(' ');
  const doc: HostDocument = {
    title: host.name,
    text,
    location: entityLocation(host.entityRef),
    name: host.name,
    entityRef: host.entityRef,
    address: host.address,
    environment: host.environment,
    owner: host.owner,
    tags: host.tags,
    reachability: state,
    ips,
  };
  if (host.system) doc.system = host.system;
  if (host.os) doc.os = host.os;
  if (host.kernel) doc.kernel = host.kernel;
  if (host.collectedAt) doc.collectedAt = host.collectedAt;
  return doc;
}

/**
 * Indexes every CMDB host with its facts (OS, kernel, IPs, reachability) as
 * documents of type `opsdeck-host`. Only users allowed to read CMDB hosts see
 * them in search results.
 */
export class HostCollatorFactory implements DocumentCollatorFactory {
  readonly type = HOST_DOCUMENT_TYPE;
  readonly visibilityPermission = cmdbHostReadPermission;

  constructor(private readonly store: () => Promise<HostIndexReader>) {}

  async getCollator(): Promise<Readable> {
    const store = await this.store();
    return Readable.from(this.documents(store));
  }

  private async *documents(
    store: HostIndexReader,
  ): AsyncGenerator<HostDocument> {
    for await (const page of store.details(500)) {
      for (const host of page) yield hostToDocument(host);
    }
  }
}
