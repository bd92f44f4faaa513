import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { permissionRules } from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import {
  hasHostCriteria,
  hostFromEntity,
  selectorMatches,
  type HostSelector,
  type HostTarget,
} from '@opsdeck/plugin-cmdb-common';
import type { HostStore } from '../database/HostStore';
import { indexEntity } from './indexEntity';

const catalogConditionsHold = createConditionAuthorizer<Entity, unknown>(
  Object.values(permissionRules) as any,
);

/**
 * Whether the catalog's read decision lets the caller see the entity: ALLOW,
 * or a catalog condition that holds for it. Anything else (DENY, conditions
 * of another plugin, a rule the catalog's built-in set does not know) hides
 * the host.
 */
export function entityVisible(
  decision: PolicyDecision,
  entity: Entity,
): boolean {
  if (decision.result === AuthorizeResult.ALLOW) return true;
  if (decision.result !== AuthorizeResult.CONDITIONAL) return false;
  if (
    decision.pluginId !== 'catalog' ||
    decision.resourceType !== 'catalog-entity'
  ) {
    return false;
  }
  try {
    return catalogConditionsHold(decision, entity);
  } catch {
    return false;
  }
}

/**
 * Resolves host selectors from the CMDB's host index, which holds a host the
 * moment it is registered (the catalog ingests it later). What a caller may
 * see is the catalog's own read decision (`catalog.entity.read`, asked of
 * the permission policy with the caller's credentials), applied to each host
 * as the catalog holds its entity: the same hosts the catalog would return
 * to them.
 */
export class HostResolver {
  constructor(
    private readonly deps: {
      store: HostStore;
      permissions: PermissionsService;
    },
  ) {}

  /** The hosts the selector matches that the caller may see, sorted by entity ref. */
  async resolve(
    selector: HostSelector,
    credentials: BackstageCredentials,
  ): Promise<HostTarget[]> {
    if (!hasHostCriteria(selector)) {
      throw new InputError(
        'A host selector needs at least one of names, owner, system, environment, tags',
      );
    }
    const [decision] = await this.deps.permissions.authorizeConditional(
      [{ permission: catalogEntityReadPermission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.DENY) return [];
    const hosts: HostTarget[] = [];
    for await (const page of this.deps.store.candidates(selector)) {
      for (const record of page) {
        const entity = indexEntity(record);
        const host = hostFromEntity(entity);
        if (
          host &&
          selectorMatches(selector, host) &&
          entityVisible(decision, entity)
        ) {
          hosts.push(host);
        }
      }
    }
    return hosts.sort((a, b) => a.entityRef.localeCompare(b.entityRef));
  }
}
