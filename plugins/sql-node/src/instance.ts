import type { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';

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

/** A vault credential as `vaultServiceRef.getSecret` returns it. */
export interface VaultPasswordSecret {
  type: string;
  username?: string;
  password?: string;
}

/** Login details; the password comes from the vault, is never logged. */
export interface SqlLogin {
  engine: SqlEngine;
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
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
 * The admin login of an instance from its vault credential (a password
 * credential with a username).
 */
export function adminLogin(
  instance: DatabaseInstance,
  secret: VaultPasswordSecret,
): SqlLogin {
  if (secret.type !== 'password' || !secret.password || !secret.username) {
    throw new InputError(
      `Vault credential ${instance.credential} must be a password with a username`,
    );
  }
  return {
    engine: instance.engine,
    host: instance.address,
    port: instance.port,
    user: secret.username,
    password: secret.password,
    database: instance.database,
  };
}
