import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  accountName,
  adminLogin,
  type DatabaseInstance,
  databaseInstanceFromEntity,
  ensureAccount,
  generatePassword,
  type Privilege,
  tablePrivileges,
} from '@opsdeck/plugin-sql-node';
import {
  secretTargetOf,
  type SecretTarget,
  type VaultService,
} from '@opsdeck/plugin-vault-node';
import type { TicketsWorkflowApi } from './approvalAction';
import type { VaultWriter } from './VaultWriter';
import { resolveResource } from './catalogResources';

/** Id of the action that creates a database account. */
export const DATABASE_ACCOUNT_ACTION_ID = 'opsdeck:tickets:database-account';

/**
 * The database the form named, checked against the catalog: it must exist,
 * be a Resource of type database, run PostgreSQL or MariaDB/MySQL and name
 * its admin credential.
 */
export async function resolveDatabaseEntity(
  catalog: CatalogService,
  ref: string,
  credentials: BackstageCredentials,
): Promise<DatabaseInstance & { target: SecretTarget }> {
  const { entity } = await resolveResource(
    catalog,
    ref,
    'database',
    credentials,
  );
  // what its admin login is taken out of the vault for
  return {
    ...databaseInstanceFromEntity(entity),
    target: secretTargetOf(entity),
  };
}

/**
 * `opsdeck:tickets:database-account`: after the approval, creates a
 * least-privilege account on the real database server with a random
 * password and stores the password in the vault. The ticket records the
 * account and the vault credential name, never the password.
 */
export function createDatabaseAccountAction(options: {
  tickets: TicketsWorkflowApi;
  catalog: CatalogService;
  /** The vault's `getSecret`: the admin login is taken out for the database. */
  getSecret: VaultService['getSecret'];
  putPassword: VaultWriter['putPassword'];
}) {
  return createTemplateAction({
    id: DATABASE_ACCOUNT_ACTION_ID,
    description:
      'Creates a read-only or read-write account on a catalog database (PostgreSQL or MariaDB/MySQL) and stores its password in the vault; reports the outcome on the ticket.',
    supportsDryRun: true,
    schema: {
      input: {
        ticketId: z => z.number().int().min(0).describe('The approved ticket'),
        database: z =>
          z.string().min(1).describe('Entity ref of the database resource'),
        privilege: z =>
          z
            .enum(['read-only', 'read-write'])
            .describe('What the account may do'),
      },
      output: {
        account: z => z.string().describe('The database login'),
        credential: z =>
          z.string().describe('Name of the vault credential with its password'),
      },
    },
    async handler(ctx) {
      const { ticketId, privilege } = ctx.input;
      const requester = ctx.user?.ref;
      if (!requester) throw new InputError('The task has no requesting user');
      const db = await resolveDatabaseEntity(
        options.catalog,
        ctx.input.database,
        await ctx.getInitiatorCredentials(),
      );
      const account = accountName(requester, ticketId, ctx.task.id);
      const credential = `db-${db.name}-${account}`
        .toLocaleLowerCase('en-US')
        .replace(/[^a-z0-9-_.]/g, '-')
        .slice(0, 63);
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Would create ${privilege} account ${account} on ${db.entityRef} (dry run)`,
        );
        ctx.output('account', account);
        ctx.output('credential', credential);
        return;
      }
      // After a restart the ticket may already be fulfilling: keep going.
      const before = await options.tickets.poll(ticketId);
      if (before.state === 'approved') {
        await options.tickets.setState(
          ticketId,
          'fulfilling',
          `Creating a ${privilege} account on ${db.entityRef}`,
        );
      } else if (before.state !== 'fulfilling') {
        throw new Error(
          `Ticket ${ticketId} is ${before.state}, not approved: nothing is created`,
        );
      }
      try {
        const admin = adminLogin(
          db,
          await options.getSecret(db.credential, {
            use: 'db-admin',
            for: db.target,
            actor: requester,
          }),
        );
        const password = generatePassword();
        const { created } = await ensureAccount(admin, {
          name: account,
          password,
          privileges: tablePrivileges(privilege as Privilege),
        });
        await options.putPassword({
          name: credential,
          username: account,
          password,
          description: `${privilege} account on ${db.entityRef} (${db.database}) for ${requester}, ticket ${ticketId}`,
          // the account serves this database only: its owner, its system
          // and environment, for reading or for changes as approved
          policy: {
            owner: db.target.owner ?? '',
            allowedUses: [privilege === 'read-write' ? 'db-change' : 'db-read'],
            allowedSystems: db.target.system ? [db.target.system] : [],
            allowedEnvironments: db.target.environment
              ? [db.target.environment]
              : [],
          },
        });
        ctx.logger.info(
          `${
            created ? 'Created' : 'Reset'
          } ${privilege} account ${account} on ${
            db.entityRef
          }; its password is in the vault as ${credential}`,
        );
        await options.tickets.setState(
          ticketId,
          'done',
          `Account ${account} (${privilege}) on ${db.entityRef} is ready; its password is in the vault credential ${credential}`,
          {
            account,
            credential,
            database: db.entityRef,
            databaseName: db.database,
            engine: db.engine,
            address: db.address,
            port: db.port,
            privilege,
            // the database as the catalog held it: the account check takes
            // the account's password out of the vault for this target
            ...(db.target.owner ? { owner: db.target.owner } : {}),
            ...(db.target.system ? { system: db.target.system } : {}),
            ...(db.target.environment
              ? { environment: db.target.environment }
              : {}),
          },
        );
        ctx.output('account', account);
        ctx.output('credential', credential);
      } catch (error) {
        await options.tickets
          .setState(ticketId, 'failed', `Fulfilment failed: ${error}`)
          .catch(() => undefined);
        throw error;
      }
    },
  });
}
