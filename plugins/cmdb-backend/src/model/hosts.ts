import {
  Entity,
  makeValidator,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import {
  HOST_ENVIRONMENTS,
  isHostEnvironment,
  isValidAddress,
  isValidCredentialName,
  isValidPort,
  LOGIN_USER_PATTERN,
  NewHost,
} from '@opsdeck/plugin-cmdb-common';
import { HostRecord } from '../database/HostStore';

/** `backstage.io/managed-by-location` of entities the CMDB provider emits. */
export const CMDB_LOCATION_PREFIX = 'opsdeck-cmdb:';
/** The provider's name and location key. */
export const CMDB_PROVIDER_NAME = 'opsdeck-cmdb';

/** Resource types the processor validates. */
export const OPSDECK_RESOURCE_TYPES = [
  'host',
  'database',
  'cache',
  'queue',
] as const;

const validator = makeValidator();

/** Host names that would clash with a route. */
const RESERVED_NAMES = new Set(['export.csv']);

/** Problems with a host's fields; empty when it is valid. */
export function hostProblems(host: {
  name?: unknown;
  address?: unknown;
  port?: unknown;
  loginUser?: unknown;
  credential?: unknown;
  environment?: unknown;
  owner?: unknown;
}): string[] {
  const problems: string[] = [];
  if (
    typeof host.name !== 'string' ||
    !validator.isValidEntityName(host.name) ||
    RESERVED_NAMES.has(host.name)
  ) {
    problems.push(
      `invalid name '${String(
        host.name,
      )}': 1-63 characters a-z, A-Z, 0-9, '-', '_', '.', starting and ending with a letter or digit`,
    );
  }
  problems.push(...connectionProblems(host));
  if (!isHostEnvironment(host.environment)) {
    problems.push(
      `invalid environment '${String(
        host.environment,
      )}': expected one of ${HOST_ENVIRONMENTS.join(', ')}`,
    );
  }
  if (typeof host.owner !== 'string' || host.owner.trim() === '') {
    problems.push('owner is required');
  }
  return problems;
}

/** Problems with address, port, login user and credential. */
export function connectionProblems(fields: {
  address?: unknown;
  port?: unknown;
  loginUser?: unknown;
  credential?: unknown;
}): string[] {
  const problems: string[] = [];
  if (!isValidAddress(fields.address)) {
    problems.push(
      `invalid address '${String(
        fields.address,
      )}': expected an IPv4 address, an IPv6 address or a DNS name`,
    );
  }
  if (fields.port !== undefined && !isValidPort(fields.port)) {
    problems.push(
      `invalid port '${String(fields.port)}': expected an integer 1-65535`,
    );
  }
  if (
    fields.loginUser !== undefined &&
    (typeof fields.loginUser !== 'string' ||
      !LOGIN_USER_PATTERN.test(fields.loginUser))
  ) {
    problems.push(`invalid loginUser '${String(fields.loginUser)}'`);
  }
  if (
    fields.credential !== undefined &&
    !isValidCredentialName(fields.credential)
  ) {
    problems.push(
      `malformed credential name '${String(
        fields.credential,
      )}': expected a vault credential name (a-z, 0-9, '-', '_', '.'; at most 63 characters)`,
    );
  }
  return problems;
}

/** The entity ref of a CMDB host. */
export function hostEntityRef(name: string, namespace = 'default'): string {
  return stringifyEntityRef({ kind: 'Resource', namespace, name });
}

/** A host registered through the API, as stored. */
export function newHostRecord(host: NewHost): HostRecord {
  return {
    name: host.name,
    address: host.address,
    port: host.port ?? 22,
    loginUser: host.loginUser,
    credential: host.credential,
    environment: host.environment,
    owner: host.owner,
    system: host.system,
    tags: [...new Set(host.tags ?? [])],
    description: host.description,
    source: 'cmdb',
    entityRef: hostEntityRef(host.name),
  };
}

/** The catalog entity of a CMDB host (facts are never part of it). */
export function hostToEntity(host: HostRecord): Entity {
  const location = `${CMDB_LOCATION_PREFIX}${host.name}`;
  const spec: JsonObject = {
    type: 'host',
    owner: host.owner,
    address: host.address,
    port: host.port,
    environment: host.environment,
  };
  if (host.system) spec.system = host.system;
  if (host.loginUser) spec.loginUser = host.loginUser;
  if (host.credential) spec.credential = host.credential;
  const metadata: Entity['metadata'] = {
    name: host.name,
    namespace: 'default',
    title: host.name,
    labels: { 'opsdeck.io/environment': host.environment },
    annotations: {
      'backstage.io/managed-by-location': location,
      'backstage.io/managed-by-origin-location': location,
    },
    tags: host.tags,
  };
  if (host.description) metadata.description = host.description;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata,
    spec,
  };
}

/**
 * A host entity from another catalog source as an index row; undefined when
 * it is the CMDB's own entity or lacks a valid address/environment.
 */
export function entityToHostRecord(entity: Entity): HostRecord | undefined {
  const annotations = entity.metadata.annotations ?? {};
  if (
    annotations['backstage.io/managed-by-location']?.startsWith(
      CMDB_LOCATION_PREFIX,
    )
  ) {
    return undefined;
  }
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  const environment =
    spec.environment ?? entity.metadata.labels?.['opsdeck.io/environment'];
  const port = spec.port ?? 22;
  if (
    !isValidAddress(spec.address) ||
    !isValidPort(port) ||
    !isHostEnvironment(environment) ||
    typeof spec.owner !== 'string'
  ) {
    return undefined;
  }
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return {
    name: entity.metadata.name,
    address: spec.address,
    port,
    loginUser: str(spec.loginUser),
    credential: str(spec.credential),
    environment,
    owner: spec.owner,
    system: str(spec.system),
    tags: (entity.metadata.tags ?? []).filter(t => typeof t === 'string'),
    description: str(entity.metadata.description),
    source: 'catalog',
    entityRef: stringifyEntityRef(entity),
  };
}
