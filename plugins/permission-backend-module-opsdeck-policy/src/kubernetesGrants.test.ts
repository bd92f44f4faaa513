import { mockCredentials } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  AuthorizeResult,
  createPermission,
  Permission,
} from '@backstage/plugin-permission-common';
import {
  kubernetesAnyOwnerPermission,
  kubernetesDeploymentImagePermission,
  kubernetesDeploymentRestartPermission,
  kubernetesDeploymentScalePermission,
  kubernetesPodDeletePermission,
  kubernetesProdChangePermission,
} from '@opsdeck/plugin-opsdeck-common';
import { OpsdeckPermissionPolicy } from './policy';
import {
  demoRolesConfig,
  demoUserInfo,
  demoUserInfoService,
} from './testUtils';

const { ALLOW, DENY } = AuthorizeResult;

const policy = OpsdeckPermissionPolicy.fromConfig(
  new ConfigReader({ opsdeck: { roles: demoRolesConfig } }),
  { userInfo: demoUserInfoService },
);

async function decide(user: string, permission: Permission) {
  const credentials = mockCredentials.user(`user:default/${user}`);
  const info = await demoUserInfo(credentials);
  return (await policy.handle({ permission }, { credentials, info })).result;
}

// Backstage's kubernetes permissions, as @backstage/plugin-kubernetes-common
// defines them (names and attributes).
const clustersRead = createPermission({
  name: 'kubernetes.clusters.read',
  attributes: { action: 'read' },
});
const resourcesRead = createPermission({
  name: 'kubernetes.resources.read',
  attributes: { action: 'read' },
});
const proxy = createPermission({ name: 'kubernetes.proxy', attributes: {} });

// The Kubernetes block of the grant table: every role sees workloads (victor,
// in no group, does not); ops and dev read logs and act on their own
// components; ops acts on any component and on prod clusters.
// prettier-ignore
const matrix: Array<[Permission, Record<string, AuthorizeResult>]> = [
  [clustersRead,                          { alice: ALLOW, bob: ALLOW, carol: ALLOW, dave: ALLOW, erin: ALLOW, victor: DENY, mallory: DENY }],
  [resourcesRead,                         { alice: ALLOW, bob: ALLOW, carol: ALLOW, dave: ALLOW, erin: ALLOW, victor: DENY, mallory: DENY }],
  [proxy,                                 { alice: ALLOW, bob: ALLOW, carol: DENY,  dave: ALLOW, erin: DENY,  victor: DENY, mallory: DENY }],
  [kubernetesDeploymentRestartPermission, { alice: ALLOW, bob: ALLOW, carol: DENY,  dave: ALLOW, erin: DENY,  victor: DENY, mallory: DENY }],
  [kubernetesDeploymentScalePermission,   { alice: ALLOW, bob: ALLOW, carol: DENY,  dave: ALLOW, erin: DENY,  victor: DENY, mallory: DENY }],
  [kubernetesDeploymentImagePermission,   { alice: ALLOW, bob: ALLOW, carol: DENY,  dave: ALLOW, erin: DENY,  victor: DENY, mallory: DENY }],
  [kubernetesPodDeletePermission,         { alice: ALLOW, bob: ALLOW, carol: DENY,  dave: ALLOW, erin: DENY,  victor: DENY, mallory: DENY }],
  [kubernetesAnyOwnerPermission,          { alice: ALLOW, bob: ALLOW, carol: DENY,  dave: DENY,  erin: DENY,  victor: DENY, mallory: DENY }],
  [kubernetesProdChangePermission,        { alice: ALLOW, bob: ALLOW, carol: DENY,  dave: DENY,  erin: DENY,  victor: DENY, mallory: DENY }],
];

describe('kubernetes grants', () => {
  it.each(matrix)('%s', async (permission, expected) => {
    for (const [user, result] of Object.entries(expected)) {
      expect([user, await decide(user, permission)]).toEqual([user, result]);
    }
  });
});
