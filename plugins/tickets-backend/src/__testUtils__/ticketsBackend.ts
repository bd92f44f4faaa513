import type { Server } from 'node:http';
import {
  AuthService,
  coreServices,
  createBackendPlugin,
  createServiceFactory,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  notificationService,
  NotificationSendOptions,
} from '@backstage/plugin-notifications-node';
import { Knex } from 'knex';
import { ticketsPlugin } from '../plugin';
import { TicketsClient } from '../scaffolder/TicketsClient';
import { fakeVault, type FakeVault } from './fakeVault';

/** The demo org's memberships that matter to approvals. */
export const GROUPS: Record<string, string[]> = {
  'user:default/carol': ['group:default/dba'],
  'user:default/bob': ['group:default/ops'],
  'user:default/alice': ['group:default/admins', 'group:default/ops'],
  'user:default/frank': ['group:default/dev'],
};

/**
 * A real backend with the tickets plugin on the given database, a
 * "scaffolder" plugin whose discovery and auth the actions use (so they call
 * the real /api/tickets routes), a fake vault (its HTTP routes with
 * `options.vault`, and the vault service) and the notifications it sends
 * captured.
 */
export async function startTicketsBackend(
  knex?: Knex,
  options: { vault?: boolean } = {},
): Promise<TicketsTestBackend> {
  const sent: NotificationSendOptions[] = [];
  const captured: {
    discovery?: DiscoveryService;
    auth?: AuthService;
  } = {};
  const vault = fakeVault();
  const backend = await startTestBackend({
    features: [
      ticketsPlugin,
      ...(knex ? [mockServices.database.factory({ knex })] : []),
      ...(options.vault ? [vault.plugin] : []),
      vault.factory,
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({
          send: async (notification: NotificationSendOptions) => {
            sent.push(notification);
          },
        }),
      }),
      createServiceFactory({
        service: coreServices.userInfo,
        deps: {},
        factory: () => ({
          getUserInfo: async (credentials: any) => {
            const ref = credentials.principal.userEntityRef as string;
            return {
              userEntityRef: ref,
              ownershipEntityRefs: [ref, ...(GROUPS[ref] ?? [])],
            };
          },
        }),
      }),
      createBackendPlugin({
        pluginId: 'scaffolder',
        register(env) {
          env.registerInit({
            deps: {
              discovery: coreServices.discovery,
              auth: coreServices.auth,
            },
            async init(deps: {
              discovery: DiscoveryService;
              auth: AuthService;
            }) {
              Object.assign(captured, deps);
            },
          });
        },
      }),
    ],
  });
  const client = new TicketsClient(captured.discovery!, captured.auth!);
  return {
    backend,
    server: backend.server,
    sent,
    client,
    discovery: captured.discovery!,
    auth: captured.auth!,
    vault,
  };
}

/** What {@link startTicketsBackend} gives a test. */
export interface TicketsTestBackend {
  backend: { stop(): Promise<void> };
  server: Server;
  sent: NotificationSendOptions[];
  client: TicketsClient;
  discovery: DiscoveryService;
  auth: AuthService;
  vault: FakeVault;
}

/** Authorization header of a demo user. */
export function as(user: string) {
  return mockCredentials.user.header(`user:default/${user}`);
}

/** A scaffolder action context for a task run by `user`. */
export function actionContext<TInput>(
  input: TInput,
  options: {
    user: string;
    taskId?: string;
    stepId?: string;
    signal?: AbortSignal;
  },
) {
  const outputs: Record<string, unknown> = {};
  const logger = mockServices.logger.mock();
  const ref = `user:default/${options.user}`;
  const ctx = {
    input,
    logger,
    workspacePath: '/tmp',
    task: { id: options.taskId ?? 'task-1' },
    step: { id: options.stepId ?? 'approval', name: 'Approval' },
    user: { ref },
    templateInfo: { entityRef: 'template:default/request-database-account' },
    signal: options.signal,
    output: (name: string, value: unknown) => {
      outputs[name] = value;
    },
    createTemporaryDirectory: async () => '/tmp',
    checkpoint: async ({ fn }: { fn: () => unknown }) => fn(),
    getInitiatorCredentials: async () => mockCredentials.user(ref),
  };
  return { ctx: ctx as any, outputs, logger };
}

/** Resolves once `check` returns something truthy (polls; no fixed sleeps). */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
): Promise<T> {
  for (;;) {
    const value = await check();
    if (value) return value;
    await new Promise(r => setTimeout(r, 20));
  }
}
