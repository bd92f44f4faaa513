import type { AuthService } from '@backstage/backend-plugin-api';
import {
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { ApprovalLevel } from '../model';

/**
 * Turns the approvers of one level as a template names them into entity refs:
 * `dba` or `group:dba` → group:default/dba, `user:bob` → user:default/bob,
 * `owner:resource:default/pay-db-main` → the group (or user) owning it.
 */
export async function resolveLevel(
  names: string[],
  options: { catalog: CatalogService; auth: AuthService },
): Promise<ApprovalLevel> {
  const approvers: string[] = [];
  const labels: string[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (!name) continue;
    if (name.startsWith('owner:')) {
      const entityRef = name.slice('owner:'.length);
      const owner = await ownerOf(entityRef, options);
      approvers.push(owner);
      labels.push(`owner of ${entityRef} (${owner})`);
      continue;
    }
    let ref;
    try {
      ref = parseEntityRef(name, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      });
    } catch {
      throw new InputError(`"${name}" is not a group or user`);
    }
    const kind = ref.kind.toLocaleLowerCase('en-US');
    if (kind !== 'group' && kind !== 'user') {
      throw new InputError(`Approver "${name}" must be a group or a user`);
    }
    const text = stringifyEntityRef({ ...ref, kind });
    approvers.push(text);
    labels.push(text);
  }
  if (approvers.length === 0) throw new InputError('A level has no approvers');
  return { approvers: [...new Set(approvers)], label: labels.join(', ') };
}

async function ownerOf(
  entityRef: string,
  options: { catalog: CatalogService; auth: AuthService },
): Promise<string> {
  const entity = await options.catalog.getEntityByRef(entityRef, {
    credentials: await options.auth.getOwnServiceCredentials(),
  });
  if (!entity) throw new InputError(`No entity ${entityRef} in the catalog`);
  const relation = entity.relations?.find(r => r.type === RELATION_OWNED_BY);
  if (relation) return relation.targetRef;
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || !owner) {
    throw new InputError(`${entityRef} has no owner to approve`);
  }
  return stringifyEntityRef(
    parseEntityRef(owner, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    }),
  );
}
