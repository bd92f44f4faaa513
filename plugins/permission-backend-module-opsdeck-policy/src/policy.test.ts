import { mockCredentials } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  catalogEntityCreatePermission,
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogEntityValidatePermission,
  catalogPermissions,
} from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  createPermission,
  Permission,
} from '@backstage/plugin-permission-common';
import {
  auditEventReadPermission,
  schedulerManagePermission,
  jobsAdhocReadPermission,
  jobsReadPermission,
  jobsRunPermission,
  jobsRunProdPermission,
  localAccountManagePermission,
  localAccountReadPermission,
  opsdeckPermissions,
} from '@opsdeck/plugin-opsdeck-common';
import { OpsdeckPermissionPolicy, isMutatingPermission } from './policy';
import { PERMISSION_GRANTS } from './grants';
import {
  demoRolesConfig,
  demoUserInfo,
  demoUserInfoService,
} from './testUtils';

const { ALLOW, DENY, CONDITIONAL } = AuthorizeResult;

// Same names and attributes as @backstage/plugin-scaffolder-common/alpha.
const scaffolderActionExecute = createPermission({
  name: 'scaffolder.action.execute',
  attributes: {},
  resourceType: 'scaffolder-action',
});
const scaffolderTaskCreate = createPermission({
  name: 'scaffolder.task.create',
  attributes: { action: 'create' },
});
const scaffolderTaskCancel = createPermission({
  name: 'scaffolder.task.cancel',
  attributes: {},
  resourceType: 'scaffolder-task',
});
const scaffolderTaskRead = createPermission({
  name: 'scaffolder.task.read',
  attributes: { action: 'read' },
  resourceType: 'scaffolder-task',
});
// A permission a later opsdeck plugin adds without touching the grant table.
const opsdeckJobsRun = createPermission({
  name: 'opsdeck.jobs.job.run',
  attributes: {},
});
// A powerful Backstage permission without an action attribute (the grant
// table names it: opsdeck's kubernetes module makes the proxy read-only, for
// ops and dev).
const kubernetesProxy = createPermission({
  name: 'kubernetes.proxy',
  attributes: {},
});
// One the grant table does not name: the default grant (ops).
const unlistedPowerful = createPermission({
  name: 'someplugin.powerful',
  attributes: {},
});

function makePolicy(opsdeck: Record<string, unknown> = {}) {
  return OpsdeckPermissionPolicy.fromConfig(
    new ConfigReader({ opsdeck: { roles: demoRolesConfig, ...opsdeck } }),
    { userInfo: demoUserInfoService },
  );
}

async function decide(
  policy: OpsdeckPermissionPolicy,
  user: string,
  permission: Permission,
) {
  const credentials = mockCredentials.user(`user:default/${user}`);
  const info = await demoUserInfo(credentials);
  const decision = await policy.handle({ permission }, { credentials, info });
  return decision.result;
}

const users = [
  'alice', // admin + ops
  'bob', // ops
  'carol', // dba
  'dave', // dev
  'erin', // viewer
  'mallory', // no role
] as const;

// prettier-ignore
const matrix: Array<[Permission, Record<(typeof users)[number], AuthorizeResult>]> = [
  //                                alice  bob    carol  dave   erin   mallory
  [auditEventReadPermission,     { alice: ALLOW, bob: ALLOW, carol: DENY,  dave: DENY,  erin: ALLOW, mallory: DENY }],
  // Backstage's task scheduler API of every plugin (list, trigger, cancel): admin only
  [schedulerManagePermission,    { alice: ALLOW, bob: DENY,  carol: DENY,  dave: DENY,  erin: DENY,  mallory: DENY }],
  [localAccountReadPermission,   { alice: ALLOW, bob: DENY,  carol: DENY,  dave: DENY,  erin: DENY,  mallory: DENY }],
  [localAccountManagePermission, { alice: ALLOW, bob: DENY,  carol: DENY,  dave: DENY,  erin: DENY,  mallory: DENY }],
  [opsdeckJobsRun,               { alice: ALLOW, bob: DENY,  carol: DENY,  dave: DENY,  erin: DENY,  mallory: DENY }],
  [jobsReadPermission,           { alice: ALLOW, bob: ALLOW, carol: ALLOW, dave: ALLOW, erin: ALLOW, mallory: DENY }],
  // others' ad-hoc commands (script, output): ops and admin, never viewers (#16)
  [jobsAdhocReadPermission,      { alice: ALLOW, bob: ALLOW, carol: DENY,  dave: DENY,  erin: DENY,  mallory: DENY }],
  [jobsRunPermission,            { alice: ALLOW, bob: ALLOW, carol: DENY,  dave: DENY,  erin: DENY,  mallory: DENY }],
  // prod hosts need their own right: ops alone does not reach them
  [jobsRunProdPermission,        { alice: ALLOW, bob: DENY,  carol: DENY,  dave: DENY,  erin: DENY,  mallory: DENY }],
  // mallory (no role, so no opsdeck.cmdb.host.read): every entity but hosts and databases
  [catalogEntityReadPermission,  { alice: ALLOW, bob: ALLOW, carol: ALLOW, dave: ALLOW, erin: ALLOW, mallory: CONDITIONAL }],
  [catalogEntityValidatePermission, { alice: ALLOW, bob: ALLOW, carol: ALLOW, dave: ALLOW, erin: ALLOW, mallory: ALLOW }],
  [catalogEntityDeletePermission, { alice: ALLOW, bob: ALLOW, carol: DENY, dave: DENY,  erin: DENY,  mallory: DENY }],
  [catalogEntityCreatePermission, { alice: ALLOW, bob: ALLOW, carol: DENY, dave: DENY,  erin: DENY,  mallory: DENY }],
  [scaffolderActionExecute,      { alice: ALLOW, bob: ALLOW, carol: ALLOW, dave: ALLOW, erin: DENY,  mallory: DENY }],
  [scaffolderTaskCreate,         { alice: ALLOW, bob: ALLOW, carol: ALLOW, dave: ALLOW, erin: DENY,  mallory: DENY }],
  [scaffolderTaskCancel,         { alice: ALLOW, bob: ALLOW, carol: ALLOW, dave: ALLOW, erin: DENY,  mallory: DENY }],
  [scaffolderTaskRead,           { alice: ALLOW, bob: ALLOW, carol: ALLOW, dave: ALLOW, erin: ALLOW, mallory: ALLOW }],
  [kubernetesProxy,              { alice: ALLOW, bob: ALLOW, carol: DENY,  dave: ALLOW, erin: DENY,  mallory: DENY }],
  [unlistedPowerful,             { alice: ALLOW, bob: ALLOW, carol: DENY,  dave: DENY,  erin: DENY,  mallory: DENY }],
];

describe('OpsdeckPermissionPolicy', () => {
  const policy = makePolicy();

  describe.each(matrix.map(([p, e]) => [p.name, p, e] as const))(
    '%s',
    (_name, permission, expected) => {
      it.each(users.map(u => [u, expected[u]]))(
        '%s -> %s',
        async (user, result) => {
          expect(await decide(policy, user, permission)).toBe(result);
        },
      );
    },
  );

  it('maps roles from group membership', () => {
    expect([
      ...policy.rolesOf([
        'user:default/alice',
        'group:default/admins',
        'group:default/ops',
      ]),
    ]).toEqual(['admin', 'ops']);
    expect([...policy.rolesOf(['user:default/mallory'])]).toEqual([]);
  });

  it('gives QA (quinn, group qa) exactly the rights of dev, no more', async () => {
    expect([
      ...policy.rolesOf(['user:default/quinn', 'group:default/qa']),
    ]).toEqual(['dev']);
    const everything = [
      ...opsdeckPermissions,
      ...catalogPermissions,
      ...matrix.map(([p]) => p),
    ];
    for (const permission of everything) {
      expect([
        permission.name,
        await decide(policy, 'quinn', permission),
      ]).toEqual([permission.name, await decide(policy, 'dave', permission)]);
    }
    expect(
      await decide(
        policy,
        'quinn',
        opsdeckPermissions.find(
          p => p.name === 'opsdeck.tickets.ticket.decide',
        )!,
      ),
    ).toBe(ALLOW);
  });

  it('lets alice (admin via the admins group) do everything', async () => {
    const everything = [
      ...opsdeckPermissions,
      ...catalogPermissions,
      ...matrix.map(([p]) => p),
    ];
    for (const permission of everything) {
      expect(await decide(policy, 'alice', permission)).toBe(ALLOW);
    }
  });

  it('denies every opsdeck permission to a user without a role, but lets them read the catalog', async () => {
    for (const permission of [...opsdeckPermissions, opsdeckJobsRun]) {
      expect(await decide(policy, 'mallory', permission)).toBe(DENY);
      // victor (demo org) is in no group at all
      expect(await decide(policy, 'victor', permission)).toBe(DENY);
    }
    expect(await decide(policy, 'mallory', catalogEntityReadPermission)).toBe(
      CONDITIONAL,
    );
    expect(
      await decide(policy, 'mallory', catalogEntityValidatePermission),
    ).toBe(ALLOW);
  });

  it('hides entities with connection fields from users without opsdeck.cmdb.host.read', async () => {
    const credentials = mockCredentials.user('user:default/victor');
    const decision = await policy.handle(
      { permission: catalogEntityReadPermission },
      { credentials, info: await demoUserInfo(credentials) },
    );
    expect(decision).toEqual({
      result: CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        not: {
          anyOf: ['address', 'port', 'loginUser', 'credential'].map(key => ({
            rule: 'HAS_SPEC',
            resourceType: 'catalog-entity',
            params: { key },
          })),
        },
      },
    });
    // a grant of host.read (config) lifts the condition
    const widened = makePolicy({
      permissionGrants: { 'opsdeck.cmdb.host.read': ['ops'] },
    });
    expect(await decide(widened, 'erin', catalogEntityReadPermission)).toBe(
      CONDITIONAL,
    );
    expect(await decide(widened, 'bob', catalogEntityReadPermission)).toBe(
      ALLOW,
    );
  });

  it('never lets viewer create, update or delete, even when granted in config', async () => {
    const opsdeckUpdate = createPermission({
      name: 'opsdeck.files.file.update',
      attributes: { action: 'update' },
    });
    const widened = makePolicy({
      permissionGrants: {
        'opsdeck.files.file.update': ['viewer'],
        'catalog.entity.delete': ['ops', 'viewer'],
      },
    });
    const mutations = [
      ...catalogPermissions,
      ...opsdeckPermissions,
      ...matrix.map(([p]) => p),
      opsdeckUpdate,
    ].filter(isMutatingPermission);
    expect(mutations.map(p => p.name)).toEqual(
      expect.arrayContaining([
        'catalog.entity.create',
        'catalog.entity.delete',
        'catalog.entity.refresh',
        'catalog.location.create',
        'catalog.location.delete',
        'opsdeck.local-auth.account.manage',
        'scaffolder.task.create',
        'opsdeck.files.file.update',
      ]),
    );
    for (const permission of mutations) {
      expect(await decide(policy, 'erin', permission)).toBe(DENY);
      expect(await decide(widened, 'erin', permission)).toBe(DENY);
    }
    // reads granted to viewer still work
    expect(await decide(widened, 'erin', auditEventReadPermission)).toBe(ALLOW);
  });

  it('lets another role of a viewer allow a change', async () => {
    // grace is in security (viewer) and dev
    expect(await decide(policy, 'grace', scaffolderTaskCreate)).toBe(ALLOW);
    expect(await decide(policy, 'grace', auditEventReadPermission)).toBe(ALLOW);
    expect(await decide(policy, 'grace', catalogEntityDeletePermission)).toBe(
      DENY,
    );
  });

  it('denies requests without a user (unauthenticated callers)', async () => {
    for (const permission of [
      auditEventReadPermission,
      catalogEntityReadPermission,
      localAccountManagePermission,
    ]) {
      expect((await policy.handle({ permission })).result).toBe(DENY);
    }
  });

  it('lets config widen and narrow grants', async () => {
    const overridden = makePolicy({
      permissionGrants: {
        'opsdeck.audit.event.read': ['dba'],
        'opsdeck.local-auth.account.read': ['ops'],
        'opsdeck.jobs.job.run': ['dev', 'ops'],
        'catalog.entity.delete': [],
      },
    });
    // replaced: dba only now
    expect(await decide(overridden, 'carol', auditEventReadPermission)).toBe(
      ALLOW,
    );
    expect(await decide(overridden, 'erin', auditEventReadPermission)).toBe(
      DENY,
    );
    expect(await decide(overridden, 'bob', auditEventReadPermission)).toBe(
      DENY,
    );
    // widened
    expect(await decide(overridden, 'bob', localAccountReadPermission)).toBe(
      ALLOW,
    );
    expect(await decide(overridden, 'dave', opsdeckJobsRun)).toBe(ALLOW);
    // narrowed to admin only
    expect(await decide(overridden, 'bob', catalogEntityDeletePermission)).toBe(
      DENY,
    );
    expect(
      await decide(overridden, 'alice', catalogEntityDeletePermission),
    ).toBe(ALLOW);
    // untouched entries keep the code defaults
    expect(await decide(overridden, 'bob', localAccountManagePermission)).toBe(
      DENY,
    );
    expect(await decide(overridden, 'dave', scaffolderTaskCreate)).toBe(ALLOW);
  });

  it('merges overrides from several config files', async () => {
    const merged = OpsdeckPermissionPolicy.fromConfig(
      ConfigReader.fromConfigs([
        { context: 'base', data: { opsdeck: { roles: demoRolesConfig } } },
        {
          context: 'local',
          data: {
            opsdeck: {
              permissionGrants: { 'opsdeck.local-auth.account.read': ['dba'] },
            },
          },
        },
      ]),
      { userInfo: demoUserInfoService },
    );
    expect(await decide(merged, 'carol', localAccountReadPermission)).toBe(
      ALLOW,
    );
    expect(await decide(merged, 'alice', localAccountReadPermission)).toBe(
      ALLOW,
    );
  });

  it('matches config refs without namespace and in any case', async () => {
    const relaxed = OpsdeckPermissionPolicy.fromConfig(
      new ConfigReader({
        opsdeck: { roles: { viewer: ['group:Security'], ops: ['user:bob'] } },
      }),
      { userInfo: demoUserInfoService },
    );
    expect(await decide(relaxed, 'erin', auditEventReadPermission)).toBe(ALLOW);
    expect(await decide(relaxed, 'bob', catalogEntityDeletePermission)).toBe(
      ALLOW,
    );
    expect(await decide(relaxed, 'dave', auditEventReadPermission)).toBe(DENY);
  });

  it('gives nobody a role when opsdeck.roles is missing', async () => {
    const empty = OpsdeckPermissionPolicy.fromConfig(new ConfigReader({}), {
      userInfo: demoUserInfoService,
    });
    expect(await decide(empty, 'alice', auditEventReadPermission)).toBe(DENY);
    // no role, so no opsdeck.cmdb.host.read: no hosts or databases either
    expect(await decide(empty, 'alice', catalogEntityReadPermission)).toBe(
      CONDITIONAL,
    );
  });

  describe('rejects bad config', () => {
    it.each([
      [
        'unknown role in opsdeck.roles',
        { roles: { superuser: ['group:default/admins'] } },
        /opsdeck\.roles has unknown role 'superuser', valid roles are admin, ops, dba, dev, viewer/,
      ],
      [
        'role members not a list',
        { roles: { admin: 'group:default/admins' } },
        /opsdeck\.roles\.admin must be a list of strings/,
      ],
      [
        'entity ref without kind',
        { roles: { admin: ['admins'] } },
        /opsdeck\.roles\.admin has an invalid entity ref 'admins'/,
      ],
      [
        'roles not an object',
        { roles: ['admin'] },
        /opsdeck\.roles must be an object/,
      ],
      [
        'unknown role in opsdeck.permissionGrants',
        { permissionGrants: { 'opsdeck.audit.event.read': ['ops', 'root'] } },
        /opsdeck\.permissionGrants\['opsdeck\.audit\.event\.read'\] has unknown role\(s\) 'root'/,
      ],
      [
        'grant not a list',
        { permissionGrants: { 'opsdeck.audit.event.read': 'ops' } },
        /must be a list of strings/,
      ],
      [
        'grant key that is no permission name',
        { permissionGrants: { 'opsdeck audit': ['ops'] } },
        /is not a permission name/,
      ],
    ])('%s', (_name, opsdeck, message) => {
      expect(() =>
        OpsdeckPermissionPolicy.fromConfig(new ConfigReader({ opsdeck }), {
          userInfo: demoUserInfoService,
        }),
      ).toThrow(message);
    });
  });

  it('seeds the grant table as documented', () => {
    expect(PERMISSION_GRANTS['opsdeck.audit.event.read']).toEqual([
      'ops',
      'viewer',
    ]);
    expect(PERMISSION_GRANTS['opsdeck.local-auth.account.read']).toEqual([]);
    expect(PERMISSION_GRANTS['opsdeck.local-auth.account.manage']).toEqual([]);
  });
});
