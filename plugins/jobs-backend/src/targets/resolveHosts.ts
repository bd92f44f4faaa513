import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { secretTargetOf } from '@opsdeck/plugin-vault-node';
import { HostSelector, TargetHost } from '../model';

/** True when the selector names at least one criterion. */
export function hasCriteria(s: HostSelector): boolean {
  return Boolean(
    (s.names && s.names.length > 0) ||
      s.system ||
      s.owner ||
      s.environment ||
      (s.tags && s.tags.length > 0),
  );
}

/** A host entity as a run target (undefined when it has no address). */
export function toTargetHost(entity: Entity): TargetHost | undefined {
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  if (typeof spec.address !== 'string' || !spec.address) return undefined;
  // what the vault checks a credential's policy against
  const { owner, system, environment } = secretTargetOf(entity);
  return {
    name: entity.metadata.name,
    entityRef: stringifyEntityRef(entity),
    address: spec.address,
    port: typeof spec.port === 'number' ? spec.port : 22,
    loginUser: typeof spec.loginUser === 'string' ? spec.loginUser : undefined,
    credential:
      typeof spec.credential === 'string' ? spec.credential : undefined,
    ...(owner ? { owner } : {}),
    ...(system ? { system } : {}),
    ...(environment ? { environment } : {}),
  };
}

/**
 * The catalog hosts (kind Resource, spec.type host) that match every given
 * criterion of the selector, read with the caller's credentials so the
 * catalog's own read permissions apply. Owner may be `ops` or `group:ops`.
 */
export async function resolveHosts(
  catalog: CatalogService,
  selector: HostSelector,
  credentials: BackstageCredentials,
): Promise<TargetHost[]> {
  if (!hasCriteria(selector)) {
    throw new InputError(
      'A host selector needs at least one of names, system, owner, environment, tags',
    );
  }
  const filter: Record<string, string | string[]> = {
    kind: 'Resource',
    'spec.type': 'host',
  };
  if (selector.names?.length) filter['metadata.name'] = selector.names;
  if (selector.system) filter['spec.system'] = selector.system;
  if (selector.environment) filter['spec.environment'] = selector.environment;
  if (selector.owner) {
    filter['relations.ownedBy'] = stringifyEntityRef(
      parseEntityRef(selector.owner, { defaultKind: 'group' }),
    );
  }
  if (selector.tags?.length) filter['metadata.tags'] = selector.tags[0];
  const { items } = await catalog.getEntities({ filter }, { credentials });
  const tags = (selector.tags ?? []).map(t => t.toLocaleLowerCase('en-US'));
  const hosts: TargetHost[] = [];
  for (const entity of items) {
    const own = (entity.metadata.tags ?? []).map(t =>
      t.toLocaleLowerCase('en-US'),
    );
    if (!tags.every(t => own.includes(t))) continue;
    const host = toTargetHost(entity);
    if (host) hosts.push(host);
  }
  return hosts.sort((a, b) => a.name.localeCompare(b.name));
}
