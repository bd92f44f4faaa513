import type {
  BackstageCredentials,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { coded } from '@opsdeck/plugin-opsdeck-node';

/**
 * The owner group of a new upload: the one asked for, which must be one of
 * the uploader's groups, else the uploader's first group. Services name any
 * group (they act for the platform).
 */
export function createOwnerGroupCheck(userInfo: UserInfoService) {
  return async (
    credentials: BackstageCredentials,
    requested: string | undefined,
  ): Promise<string | undefined> => {
    let ref: string | undefined;
    if (requested) {
      try {
        ref = stringifyEntityRef(
          parseEntityRef(requested, {
            defaultKind: 'group',
            defaultNamespace: 'default',
          }),
        );
      } catch {
        throw coded(
          new InputError(`Owner group '${requested}' is not an entity ref`),
          'files-owner-group-invalid',
        );
      }
      if (!ref.startsWith('group:')) {
        throw coded(
          new InputError(`Owner group '${requested}' is not a group`),
          'files-owner-group-invalid',
        );
      }
    }
    if ((credentials.principal as { type?: string }).type !== 'user') {
      return ref;
    }
    const info = await userInfo.getUserInfo(credentials);
    const groups = info.ownershipEntityRefs.filter(r => r.startsWith('group:'));
    if (!ref) return groups[0];
    if (!groups.includes(ref)) {
      throw coded(
        new NotAllowedError(
          `You are not a member of ${ref}; pick one of your groups as owner`,
        ),
        'files-owner-group-not-member',
        { group: ref },
      );
    }
    return ref;
  };
}
