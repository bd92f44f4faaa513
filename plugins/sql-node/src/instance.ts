import type { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { VaultSecret } from '@opsdeck/plugin-vault-node';

/** The SQL dialects opsdeck connects to. */
export type SqlEngine = 'postgresql' | 'mysql';

/** Engine names a catalog database may give in `spec.engine`. */
const ENGINE_ALIASES: Record<string, SqlEngine> = {
  postgresql: 'postgresql',
  postgres: 'postgresql',
  mysql: 'mysql',
  mariadb: 'mysql',
};

/** Where a database instance is and which vault credential administers it. */
export interface DatabaseInstance {
  entityRef: string;
  name: string;
  engine: SqlEngine;
  /** The engine as the catalog names it (mariadb, mysql, postgresql, …). */
  engineLabel: string;
  address: string;
  port: number;
  /** Default database (PostgreSQL) / schema (MariaDB) on the instance. */
  database: string;
  /** Name of the vault credential (password type) of an admin login. */
  credential: string;
}

/**
 * Where and as whom to connect to a server; the password comes from the
 * vault and is never logged.
 */
export interface ConnectionTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
  /** Database (PostgreSQL) or schema (MariaDB/MySQL) to use. */
  database?: string;
}

/** Login details of a SQL instance (engine, password and database known). */
export interface SqlLogin extends ConnectionTarget {
  engine: SqlEngine;
  password: string;
  database: string;
}

/** The catalog fields that say where an instance is and how to log in. */
export interface InstanceAddress {
  address: string;
  port: number;
  database?: string;
  /** Name of the vault credential (password type). */
  credential?: string;
  /** A login name that wins over the credential's username. */
  loginUser?: string;
}

/**
 * Reads a catalog database (Resource of type database): engine, address,
 * port, default database and admin credential name. Refuses anything else
 * with a message that says what is missing.
 */
export function databaseInstanceFromEntity(entity: Entity): DatabaseInstance {
  const ref = `${entity.kind.toLocaleLowerCase('en-US')}:${
    entity.metadata.namespace ?? 'default'
  }/${entity.metadata.name}`;
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  if (
    entity.kind.toLocaleLowerCase('en-US') !== 'resource' ||
    spec.type !== 'database'
  ) {
    throw new InputError(
      `${ref} is not a database (Resource of type database)`,
    );
  }
  const engineLabel = String(spec.engine ?? '').toLocaleLowerCase('en-US');
  const engine = ENGINE_ALIASES[engineLabel];
  if (!engine) {
    throw new InputError(
      `${ref} runs ${
        engineLabel || 'an unknown engine'
      }; supported: ${Object.keys(ENGINE_ALIASES).join(', ')}`,
    );
  }
  if (typeof spec.credential !== 'string' || !spec.credential) {
    throw new InputError(
      `${ref} names no admin credential (spec.credential) in the vault`,
    );
  }
  const port = Number(spec.port ?? (engine === 'postgresql' ? 5432 : 3306));
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InputError(`${ref} has an invalid port ${String(spec.port)}`);
  }
  let database = typeof spec.database === 'string' ? spec.database : '';
  if (!database) {
    if (engine === 'mysql') {
      throw new InputError(`${ref} names no database (spec.database)`);
    }
    database = 'postgres';
  }
  return {
    entityRef: ref,
    name: entity.metadata.name,
    engine,
    engineLabel,
    address: String(spec.address ?? '127.0.0.1'),
    port,
    database,
    credential: spec.credential,
  };
}

/**
 * Address, user and password of an instance from its vault credential: the
 * one place opsdeck turns an instance and a credential into login details.
 * The catalog's `loginUser` wins over the credential's username; without
 * either the user is left to the caller's engine default.
 */
export function instanceLogin(
  instance: InstanceAddress,
  secret: VaultSecret | undefined,
): Omit<ConnectionTarget, 'user'> & { user?: string } {
  if (secret && secret.type !== 'password') {
    throw new InputError(
      `Credential '${instance.credential}' is not a password`,
    );
  }
  return {
    host: instance.address,
    port: instance.port,
    user: instance.loginUser ?? secret?.username,
    password: secret?.password,
    database: instance.database,
  };
}

/**
 * The admin login of an instance from its vault credential (a password
 * credential with a username).
 */
export function adminLogin(
  instance: DatabaseInstance,
  secret: VaultSecret,
): SqlLogin {
  if (secret.type !== 'password' || !secret.password || !secret.username) {
    throw new InputError(
      `Vault credential ${instance.credential} must be a password with a username`,
    );
  }
  const login = instanceLogin(instance, secret);
  return {
    ...login,
    engine: instance.engine,
    user: secret.username,
    password: secret.password,
    database: instance.database,
  };
}
