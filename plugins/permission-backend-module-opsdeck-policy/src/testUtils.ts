// Shared fixtures for this package's tests (not exported from index.ts).
import {
  BackstageCredentials,
  BackstageUserInfo,
  UserInfoService,
} from '@backstage/backend-plugin-api';

/** The role mapping of the demo org (examples/org.yaml, app-config.yaml). */
export const demoRolesConfig = {
  admin: ['group:default/admins'],
  ops: ['group:default/ops'],
  dba: ['group:default/dba'],
  dev: ['group:default/dev', 'group:default/qa'],
  viewer: ['group:default/security'],
};

/** Group memberships of the demo users, plus users without any role group. */
export const demoMemberships: Record<string, string[]> = {
  alice: ['admins', 'ops'],
  bob: ['ops'],
  carol: ['dba'],
  dave: ['dev'],
  frank: ['dev'],
  quinn: ['qa'],
  // the demo org's visitor: in no group at all
  victor: [],
  erin: ['security'],
  // not in the demo org: security and dev at once
  grace: ['security', 'dev'],
  // signed in, but in no group that maps to a role
  mallory: ['contractors'],
};

export function ownershipOf(user: string): string[] {
  const groups = demoMemberships[user];
  if (!groups) {
    throw new Error(`unknown test user ${user}`);
  }
  return [`user:default/${user}`, ...groups.map(g => `group:default/${g}`)];
}

/** Resolves ownership refs from the demo memberships, like the auth backend. */
export async function demoUserInfo(
  credentials: BackstageCredentials,
): Promise<BackstageUserInfo> {
  const principal = credentials.principal as { userEntityRef?: string };
  const userEntityRef = principal.userEntityRef;
  if (!userEntityRef) {
    throw new Error('not a user principal');
  }
  const name = userEntityRef.replace(/^user:default\//, '');
  return { userEntityRef, ownershipEntityRefs: ownershipOf(name) };
}

export const demoUserInfoService: UserInfoService = {
  getUserInfo: demoUserInfo,
};
