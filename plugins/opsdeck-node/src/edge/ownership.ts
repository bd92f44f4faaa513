import type {
  BackstageCredentials,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  type Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';

/**
 * The owner of a catalog entity (`spec.owner`) as a full, lower-cased
 * entity ref (kind `group` and the entity's namespace when left out), or
 * undefined when it has none or it is not a ref.
 */
export function entityOwnerRef(entity: Entity): string | undefined {
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || !owner) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

/**
 * Whether the person of `credentials` owns `entity`: its owner is one of
 * their ownership refs (themself or a group they are in). A service, or an
 * entity without an owner, owns nothing. Callers that let some people act
 * on any owner's entities check that permission first.
 */
export async function ownsEntity(
  userInfo: UserInfoService,
  credentials: BackstageCredentials,
  entity: Entity,
): Promise<boolean> {
  const owner = entityOwnerRef(entity);
  const principal = credentials.principal as { type?: string } | undefined;
  if (!owner || principal?.type !== 'user') return false;
  const { ownershipEntityRefs } = await userInfo.getUserInfo(credentials);
  return ownershipEntityRefs.some(r => r.toLocaleLowerCase('en-US') === owner);
}
