import { randomBytes } from 'node:crypto';
import type { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  accountName,
  ensurePostgresAccount,
  Privilege,
} from '../fulfilment/postgresAccount';
import type { TicketsWorkflowApi } from './approvalAction';

/** Id of the action that creates a database account. */
export const DATABASE_ACCOUNT_ACTION_ID = 'opsdeck:tickets:database-account';

/** Engines this action can create accounts on. */
export const SUPPORTED_ENGINES = ['postgresql'];

/** The database entity as the form named it, checked against the catalog. */
export async function resolveDatabaseEntity(
  catalog: CatalogService,
  ref: string,
  credentials: BackstageCredentials,
): Promise<{
  entity: Entity;
  entityRef: string;
  engine: string;
  address: string;
  port: number;
  credential: string;
  database: string;
}> {
  const entity = await catalog.getEntityByRef(ref, { credentials });
  if (!entity) throw new InputError(`No database ${ref} in the catalog`);
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  if (
    entity.kind.toLocaleLowerCase('en-US') !== 'resource' ||
    spec.type !== 'database'
  ) {
    throw new InputError(
      `${ref} is not a database (Resource of type database)`,
    );
  }
  const engine = String(spec.engine ?? '');
  if (!SUPPORTED_ENGINES.includes(engine)) {
    throw new InputError(
      `${ref} runs ${
        engine || 'an unknown engine'
      }; accounts can be created on ${SUPPORTED_ENGINES.join(', ')} only`,
    );
  }
  if (typeof spec.credential !== 'string' || !spec.credential) {
    throw new InputError(
      `${ref} names no admin credential (spec.credential) in the vault`,
    );
  }
  return {
    entity,
    entityRef: `resource:${entity.metadata.namespace ?? 'default'}/${
      entity.metadata.name
    }`,
    engine,
    address: String(spec.address ?? '127.0.0.1'),
    port: Number(spec.port ?? 5432),
    credential: spec.credential,
    database: typeof spec.database === 'string' ? spec.database : 'postgres',
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
  getSecret(
    name: string,
  ): Promise<{ type: string; username?: string; password?: string }>;
  putPassword(credential: {
    name: string;
    username: string;
    password: string;
    description: string;
  }): Promise<void>;
}) {
  return createTemplateAction({
    id: DATABASE_ACCOUNT_ACTION_ID,
    description:
      'Creates a read-only or read-write account on a catalog database (PostgreSQL) and stores its password in the vault; reports the outcome on the ticket.',
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
      const credential = `db-${db.entity.metadata.name}-${account}`
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
        const admin = await options.getSecret(db.credential);
        if (admin.type !== 'password' || !admin.password || !admin.username) {
          throw new Error(
            `Vault credential ${db.credential} must be a password with a username`,
          );
        }
        const password = randomBytes(24).toString('base64url');
        const { created } = await ensurePostgresAccount(
          {
            host: db.address,
            port: db.port,
            user: admin.username,
            password: admin.password,
            database: db.database,
          },
          { name: account, password, privilege: privilege as Privilege },
        );
        await options.putPassword({
          name: credential,
          username: account,
          password,
          description: `${privilege} account on ${db.entityRef} (${db.database}) for ${requester}, ticket ${ticketId}`,
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
            address: db.address,
            port: db.port,
            privilege,
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
