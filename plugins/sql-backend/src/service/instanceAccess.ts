import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  connectSql,
  instanceLogin,
  readOnlyProblems,
  type SqlLogin,
} from '@opsdeck/plugin-sql-node';
import {
  type CredentialUse as VaultCredentialUse,
  secretTarget,
  type VaultService,
} from '@opsdeck/plugin-vault-node';
import { instanceFromEntity, type SqlInstance } from '../catalog/instances';
import type { SqlStore } from '../database/SqlStore';
import { sqlDriver } from '../engines';
import type { ConnectionTarget, SqlSession } from '../engines/types';
import type { InstanceException } from '../model';
import type { SqlEngine } from '../parsing';

/** What a database credential is taken out of the vault for. */
export type CredentialUse = Extract<
  VaultCredentialUse,
  'db-admin' | 'db-change' | 'db-read'
>;

/** The vault's `getSecret`: which credential, for what use, for which target, on whose behalf. */
export type GetSecret = VaultService['getSecret'];

/** Whether the read login of an instance is read-only, as the server says. */
export interface ReadLoginStatus {
  readOnly: boolean;
  problems: string[];
  exception?: InstanceException;
}

const PRIVILEGE_CHECK_MS = 60_000;

/**
 * Instances from the catalog and connections to them with the credential of
 * each use: `read` for the console, review and slow queries (refused when the
 * server says the login can write or is privileged, unless an admin made the
 * instance an exception), `change` for approved changes.
 */
export class InstanceAccess {
  private readonly checked = new Map<
    string,
    { at: number; problems: string[] }
  >();

  constructor(
    private readonly deps: {
      catalog: CatalogService;
      store: SqlStore;
      getSecret: GetSecret;
      now?: () => number;
    },
  ) {}

  async listInstances(
    credentials: BackstageCredentials,
  ): Promise<SqlInstance[]> {
    const { items } = await this.deps.catalog.getEntities(
      { filter: { kind: 'Resource', 'spec.type': ['database', 'cache'] } },
      { credentials },
    );
    return items
      .map(instanceFromEntity)
      .filter((i): i is SqlInstance => Boolean(i))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async getInstance(
    ref: string,
    credentials: BackstageCredentials,
  ): Promise<SqlInstance> {
    const entity = await this.deps.catalog.getEntityByRef(ref, { credentials });
    const instance = entity && instanceFromEntity(entity);
    if (!instance)
      throw new NotFoundError(`No database or cache instance '${ref}'`);
    return instance;
  }

  sqlEngine(instance: SqlInstance): SqlEngine {
    if (instance.engine === 'redis' || instance.engine === 'mongodb') {
      throw new InputError(
        `${instance.ref} is a ${
          instance.engine === 'redis' ? 'Redis' : 'MongoDB'
        } instance: it is read through the query console only`,
      );
    }
    return instance.engine;
  }

  /** The vault credential an instance names for a use. */
  credentialFor(instance: SqlInstance, use: CredentialUse): string | undefined {
    const c = instance.credentials;
    if (use === 'db-admin') return c.admin;
    if (use === 'db-change') return c.change ?? c.admin;
    // Redis and MongoDB have one login, checked by the console's command allow-lists
    if (instance.engine === 'redis' || instance.engine === 'mongodb')
      return c.read ?? instance.credential;
    return c.read;
  }

  /** Address and login of an instance for a use; the password comes from the vault. */
  async target(
    instance: SqlInstance,
    use: CredentialUse,
    database?: string,
    actor?: string,
  ): Promise<ConnectionTarget> {
    const name = this.credentialFor(instance, use);
    const sqlEngine =
      instance.engine === 'postgresql' || instance.engine === 'mysql';
    if (!name && (use === 'db-read' || use === 'db-change') && sqlEngine) {
      throw new InputError(
        use === 'db-read'
          ? `${instance.ref} names no read credential (spec.credentials.read): the console, review and slow queries never use the admin login`
          : `${instance.ref} names no change credential (spec.credentials.change)`,
      );
    }
    const secret = name
      ? await this.deps.getSecret(name, {
          use,
          for: secretTarget({
            ref: instance.ref,
            owner: instance.owner,
            system: instance.system,
            environment: instance.environment,
          }),
          ...(actor ? { actor } : {}),
        })
      : undefined;
    // spec.loginUser names the login of the single legacy credential only
    const login = instanceLogin(
      {
        ...instance,
        credential: name,
        loginUser:
          name === instance.credential ? instance.loginUser : undefined,
      },
      secret,
    );
    return {
      ...login,
      user: login.user ?? (instance.engine === 'redis' ? 'default' : 'root'),
      database: database ?? instance.database,
    };
  }

  /**
   * What the server says the read login can do beyond reading, and the
   * instance's exception; checked at most once a minute per instance and login.
   */
  async readLoginStatus(
    instance: SqlInstance,
    actor?: string,
  ): Promise<ReadLoginStatus> {
    const engine = this.sqlEngine(instance);
    const target = await this.target(instance, 'db-read', undefined, actor);
    const key = `${instance.ref}\n${target.user}\n${target.host}:${target.port}`;
    const now = (this.deps.now ?? Date.now)();
    let cached = this.checked.get(key);
    if (!cached || now - cached.at > PRIVILEGE_CHECK_MS) {
      const login: SqlLogin = {
        ...target,
        engine,
        password: target.password ?? '',
        database: target.database ?? '',
      };
      const c = await connectSql(login);
      try {
        cached = { at: now, problems: await readOnlyProblems(c) };
      } finally {
        await c.close().catch(() => undefined);
      }
      this.checked.set(key, cached);
    }
    const exception = await this.deps.store.getInstanceException(instance.ref);
    return {
      readOnly: cached.problems.length === 0,
      problems: cached.problems,
      exception,
    };
  }

  /** Opens a session for a use; a read session is refused on a login that can write. */
  async withSession<T>(
    instance: SqlInstance,
    use: CredentialUse,
    database: string | undefined,
    actor: string | undefined,
    fn: (session: SqlSession) => Promise<T>,
  ): Promise<T> {
    const driver = sqlDriver(this.sqlEngine(instance));
    if (use === 'db-read') {
      const status = await this.readLoginStatus(instance, actor);
      if (!status.readOnly && !status.exception) {
        throw new NotAllowedError(
          `The read credential of ${
            instance.ref
          } is not read-only (${status.problems.join(
            '; ',
          )}): the console and review refuse it. Grant the login SELECT only, or have an admin make the instance an exception`,
        );
      }
    }
    const session = await driver.connect(
      await this.target(instance, use, database, actor),
    );
    try {
      await driver.checkSession(session);
      return await fn(session);
    } finally {
      await session.close();
    }
  }
}
