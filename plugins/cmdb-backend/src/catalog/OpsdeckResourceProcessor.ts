import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  isHostEnvironment,
  HOST_ENVIRONMENTS,
} from '@opsdeck/plugin-cmdb-common';
import { CatalogProcessor } from '@backstage/plugin-catalog-node';
import { connectionProblems, OPSDECK_RESOURCE_TYPES } from '../model/hosts';

const ENGINE_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** Problems of an opsdeck Resource (host, database, cache, queue). */
export function resourceProblems(entity: Entity): string[] {
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  const problems = connectionProblems({
    address: spec.address,
    port: spec.port,
    loginUser: spec.loginUser,
    credential: spec.credential,
  });
  if (spec.environment !== undefined && !isHostEnvironment(spec.environment)) {
    problems.push(
      `invalid environment '${String(
        spec.environment,
      )}': expected one of ${HOST_ENVIRONMENTS.join(', ')}`,
    );
  }
  if (spec.type !== 'host') {
    if (typeof spec.engine !== 'string' || !ENGINE_PATTERN.test(spec.engine)) {
      problems.push(
        `invalid engine '${String(
          spec.engine,
        )}': expected a lowercase name such as postgresql, mysql or redis`,
      );
    }
  }
  return problems;
}

function isOpsdeckResource(entity: Entity): boolean {
  return (
    entity.kind?.toLocaleLowerCase('en-US') === 'resource' &&
    (OPSDECK_RESOURCE_TYPES as readonly unknown[]).includes(entity.spec?.type)
  );
}

/**
 * Validates opsdeck's Resources: spec.address (IPv4/IPv6/DNS name),
 * spec.port (1-65535), spec.loginUser, spec.credential (vault credential
 * name), spec.environment, and spec.engine for database/cache/queue. A bad
 * field fails only that entity with an InputError naming the field.
 */
export class OpsdeckResourceProcessor implements CatalogProcessor {
  getProcessorName(): string {
    return 'OpsdeckResourceProcessor';
  }

  async validateEntityKind(entity: Entity): Promise<boolean> {
    if (!isOpsdeckResource(entity)) return false;
    const problems = resourceProblems(entity);
    if (problems.length > 0) {
      throw new InputError(
        `Invalid ${entity.spec?.type} ${entity.kind}:${
          entity.metadata.namespace ?? 'default'
        }/${entity.metadata.name}: ${problems.join('; ')}`,
      );
    }
    // the built-in processor still validates the Resource kind itself
    return false;
  }
}
