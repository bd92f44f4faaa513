import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { parseRuleOverrides, RuleOverrides } from '../review/rules';

export const SQL_APPROVERS_ANNOTATION = 'opsdeck.io/sql-approvers';
export const SQL_QUERY_ACCESS_ANNOTATION = 'opsdeck.io/sql-query-access';
export const SQL_REVIEW_ANNOTATION = 'opsdeck.io/sql-review';
export const DEFAULT_APPROVER_GROUP = 'group:default/dba';

export type InstanceEngine = 'postgresql' | 'mysql' | 'redis' | 'mongodb';

/** A database or cache instance as the sql plugin sees a catalog Resource. */
export interface SqlInstance {
  ref: string;
  name: string;
  title?: string;
  description?: string;
  type: 'database' | 'cache';
  engine: InstanceEngine;
  address: string;
  port: number;
  loginUser?: string;
  credential?: string;
  /** Default database/schema. */
  database?: string;
  environment?: string;
  owner?: string;
  system?: string;
  /** One group per approval level, in order. */
  approverGroups: string[];
  /** Who may use the query console; undefined: everyone with the permission. */
  queryAccess?: string[];
  reviewRules: RuleOverrides;
  /** Set when the review annotation is invalid (changes are then refused). */
  configError?: string;
}

export const SUPPORTED_ENGINES: InstanceEngine[] = [
  'postgresql',
  'mysql',
  'redis',
  'mongodb',
];

function refList(value: unknown, defaultKind: string): string[] {
  let items: string[] = [];
  if (Array.isArray(value)) items = value.map(String);
  else if (typeof value === 'string') items = value.split(',');
  return items
    .map(s => s.trim())
    .filter(Boolean)
    .map(s =>
      stringifyEntityRef(
        parseEntityRef(s.toLowerCase(), {
          defaultKind,
          defaultNamespace: 'default',
        }),
      ),
    );
}

/** The instance of an entity, or undefined when it is not a supported database/cache. */
export function instanceFromEntity(entity: Entity): SqlInstance | undefined {
  const spec = (entity.spec ?? {}) as Record<string, any>;
  if (entity.kind.toLowerCase() !== 'resource') return undefined;
  if (spec.type !== 'database' && spec.type !== 'cache') return undefined;
  if (!SUPPORTED_ENGINES.includes(spec.engine)) return undefined;
  if (typeof spec.address !== 'string' || !spec.port) return undefined;
  const annotations = entity.metadata.annotations ?? {};
  let reviewRules: RuleOverrides = {};
  let configError: string | undefined;
  try {
    reviewRules = parseRuleOverrides(annotations[SQL_REVIEW_ANNOTATION]);
  } catch (error) {
    configError = `${SQL_REVIEW_ANNOTATION}: ${(error as Error).message}`;
  }
  const approvers = refList(
    spec.approvers ?? annotations[SQL_APPROVERS_ANNOTATION],
    'group',
  );
  const access = annotations[SQL_QUERY_ACCESS_ANNOTATION];
  return {
    ref: stringifyEntityRef(entity),
    name: entity.metadata.name,
    title: entity.metadata.title,
    description: entity.metadata.description,
    type: spec.type,
    engine: spec.engine,
    address: spec.address,
    port: Number(spec.port),
    loginUser: spec.loginUser,
    credential: spec.credential,
    database: typeof spec.database === 'string' ? spec.database : undefined,
    environment: spec.environment,
    owner: spec.owner,
    system: typeof spec.system === 'string' ? spec.system : undefined,
    approverGroups: approvers.length > 0 ? approvers : [DEFAULT_APPROVER_GROUP],
    queryAccess: access === undefined ? undefined : refList(access, 'user'),
    reviewRules,
    configError,
  };
}
