import type { Permission } from '@backstage/plugin-permission-common';

/** Principal types a route accepts. */
export type PrincipalType = 'user' | 'service';

/**
 * Who may call one operation, checked by the request guard before the body is
 * parsed or validated:
 *
 * - a permission (shorthand for `{ permission }`): authenticated user or
 *   service holding it. A resource permission is pre-checked without a
 *   resource (a definite DENY answers 403); the handler checks each resource.
 * - `{ permission, allow, message }`: the same, for the listed principal
 *   types only, with the 403 message given.
 * - `{ authenticate, reason }`: any authenticated principal of those types; the
 *   handler decides what they see (e.g. only their own records). Say why.
 * - `{ public: reason }`: no credentials needed (sign-in). Say why.
 */
export type Access =
  | Permission
  | { permission: Permission; allow?: PrincipalType[]; message?: string }
  | { authenticate: PrincipalType[]; reason: string }
  | { public: string };

const HTTP_METHODS = [
  'get',
  'put',
  'post',
  'delete',
  'patch',
  'head',
  'options',
] as const;
type HttpMethod = (typeof HTTP_METHODS)[number];

/** `'POST /hosts/{name}/collect'`: every operation of an OpenAPI spec. */
export type OperationKey<Spec> = Spec extends { paths: infer Paths }
  ? {
      [Path in keyof Paths & string]: `${Uppercase<
        keyof Paths[Path] & HttpMethod
      >} ${Path}`;
    }[keyof Paths & string]
  : never;

/**
 * The access rule of every operation of a spec, declared beside it
 * (`src/schema/access.ts`); a missing operation does not compile.
 */
export type OperationAccess<Spec> = Record<OperationKey<Spec>, Access>;

/** An access rule in its long form. */
export type NormalizedAccess =
  | {
      kind: 'permission';
      permission: Permission;
      allow: PrincipalType[];
      message?: string;
    }
  | { kind: 'authenticate'; allow: PrincipalType[]; reason: string }
  | { kind: 'public'; reason: string };

function isPermission(value: unknown): value is Permission {
  const v = value as Permission;
  return (
    typeof v?.name === 'string' && (v.type === 'basic' || v.type === 'resource')
  );
}

/** The long form of an access rule. */
export function normalizeAccess(access: Access): NormalizedAccess {
  if (isPermission(access)) {
    return {
      kind: 'permission',
      permission: access,
      allow: ['user', 'service'],
    };
  }
  if ('permission' in access) {
    return {
      kind: 'permission',
      permission: access.permission,
      allow: access.allow ?? ['user', 'service'],
      message: access.message,
    };
  }
  if ('authenticate' in access) {
    return {
      kind: 'authenticate',
      allow: access.authenticate,
      reason: access.reason,
    };
  }
  return { kind: 'public', reason: access.public };
}

/** One operation of a spec with its access rule. */
export interface GuardedOperation {
  /** `POST /hosts/{name}` */
  key: string;
  method: string;
  access: NormalizedAccess;
  pattern: RegExp;
  /** Literal path segments: the more, the more specific. */
  literals: number;
}

/** Looks up the operation of a request. */
export interface OperationTable {
  operations: GuardedOperation[];
  match(method: string, path: string): GuardedOperation | undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compiles the spec's operations with their access rules. Throws when an
 * operation has no rule or a rule names no operation (a typo would otherwise
 * leave a route unguarded).
 */
export function compileOperations(
  spec: { paths?: Record<string, unknown> },
  access: Record<string, Access>,
): OperationTable {
  const operations: GuardedOperation[] = [];
  const declared = new Set(Object.keys(access));
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of Object.keys(item as object)) {
      if (!(HTTP_METHODS as readonly string[]).includes(method)) continue;
      const key = `${method.toUpperCase()} ${path}`;
      const rule = access[key];
      if (!rule) {
        throw new Error(`No access rule for operation ${key}`);
      }
      declared.delete(key);
      const segments = path.split('/').filter(Boolean);
      const pattern = new RegExp(
        `^/${segments
          .map(s => (/^\{[^}]+\}$/.test(s) ? '([^/]+)' : escapeRegExp(s)))
          .join('/')}/?$`,
      );
      operations.push({
        key,
        method: method.toUpperCase(),
        access: normalizeAccess(rule),
        pattern,
        literals: segments.filter(s => !s.startsWith('{')).length,
      });
    }
  }
  if (declared.size > 0) {
    throw new Error(
      `Access rules for operations the spec does not have: ${[...declared].join(
        ', ',
      )}`,
    );
  }
  // most specific first: /hosts/export.csv before /hosts/{name}
  operations.sort((a, b) => b.literals - a.literals);
  return {
    operations,
    match(method, path) {
      const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
      return operations.find(o => o.method === m && o.pattern.test(path));
    },
  };
}
