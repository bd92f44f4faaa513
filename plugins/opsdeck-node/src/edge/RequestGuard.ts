import type {
  AuditorService,
  BackstageCredentials,
  BackstageServicePrincipal,
  BackstageUserPrincipal,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  AuthenticationError,
  NotAllowedError,
  serializeError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  AuthorizeResult,
  isResourcePermission,
  type Permission,
} from '@backstage/plugin-permission-common';
import type { Request, RequestHandler, Response } from 'express';
import {
  type Access,
  compileOperations,
  type GuardedOperation,
  type PrincipalType,
} from './access';
import { markDenialAudited, denialAudited } from './denials';
import { withErrorCode } from './errorResponses';

type AnyRequest = Request<any, any, any, any, any>;

/**
 * Answers a refused request directly, in the shape of Backstage's error
 * handler: the validated router's error transformer (after this middleware)
 * would turn any error passed on into a 400.
 */
function answerError(
  req: AnyRequest,
  res: Response,
  error: unknown,
  logger?: LoggerService,
) {
  const name = (error as Error)?.name;
  const known: Record<string, number> = {
    [AuthenticationError.name]: 401,
    [NotAllowedError.name]: 403,
  };
  const statusCode = known[name] ?? 503;
  if (statusCode === 503) {
    logger?.error(
      `Request guard failed for ${req.method} ${req.originalUrl}`,
      error as Error,
    );
  }
  const safe =
    statusCode === 503
      ? new ServiceUnavailableError(
          'Could not check the request (permissions unavailable)',
        )
      : (error as Error);
  res.status(statusCode).json({
    error: serializeError(withErrorCode(safe, statusCode), {
      includeStack: false,
    }),
    request: { method: req.method, url: req.url },
    response: { statusCode },
  });
}

/**
 * A 403 for a missing permission: code `not-allowed` and the permission's
 * name in the response (`error.permission`), so the portal can say in the
 * reader's language what is missing.
 */
function refusal(message: string, permission: Permission): NotAllowedError {
  return Object.assign(new NotAllowedError(message), {
    code: 'not-allowed',
    permission: permission.name,
  });
}

/** Event id of the audit event recorded for every 403 on a guarded route. */
export const ACCESS_DENIED_EVENT = 'access-denied';

/**
 * The request edge of one plugin: authentication and permission before
 * anything else, and an audit event for every 403.
 */
export interface RequestGuard {
  /**
   * Express middleware for a router built from an OpenAPI spec: finds the
   * request's operation, authenticates the caller and checks the operation's
   * permission (from `access`) before any body parsing or validation, and
   * audits every 403 the route answers. Mounted first by the generated
   * `createOpenApiRouter`.
   */
  middleware(
    spec: { paths?: Record<string, unknown> },
    access: Record<string, Access>,
  ): RequestHandler;
  /**
   * The caller's credentials, as authenticated by the middleware (or now, for
   * routes outside a spec), for the principal types given (default user and
   * service).
   */
  credentials(
    req: AnyRequest,
    allow?: PrincipalType[],
  ): Promise<CallerCredentials>;
  /** Credentials of a caller holding the permission; 403 otherwise. */
  authorize(
    req: AnyRequest,
    permission: Permission,
    options?: {
      resourceRef?: string;
      allow?: PrincipalType[];
      /** The 403 message: "You are not allowed to <what>". */
      what?: string;
    },
  ): Promise<CallerCredentials>;
  /** Whether the caller holds the permission (no 403). */
  allowed(
    credentials: BackstageCredentials,
    permission: Permission,
    resourceRef?: string,
  ): Promise<boolean>;
}

const ALL: PrincipalType[] = ['user', 'service'];

/** Credentials of an authenticated caller: a user or a service. */
export type CallerCredentials = BackstageCredentials<
  BackstageUserPrincipal | BackstageServicePrincipal
>;

/**
 * Creates the request guard of a plugin: one per plugin, from its core
 * services. Denials are recorded with the plugin's auditor (event
 * `access-denied`, outcome denied, actor the caller, target the URL path).
 */
export function createRequestGuard(deps: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  /** Where a failure to check a request (not a refusal) is logged. */
  logger?: LoggerService;
}): RequestGuard {
  const { httpAuth, permissions, auditor, logger } = deps;
  const operations = new WeakMap<object, GuardedOperation>();

  async function allowed(
    caller: BackstageCredentials,
    permission: Permission,
    resourceRef?: string,
  ): Promise<boolean> {
    if (isResourcePermission(permission) && resourceRef === undefined) {
      // No resource yet: only a definite DENY says no (conditions are
      // checked per resource by the handler).
      const [decision] = await permissions.authorizeConditional(
        [{ permission }],
        { credentials: caller },
      );
      return decision.result !== AuthorizeResult.DENY;
    }
    const [decision] = await permissions.authorize(
      [
        isResourcePermission(permission)
          ? { permission, resourceRef: resourceRef! }
          : { permission: permission as any },
      ],
      { credentials: caller },
    );
    return decision.result === AuthorizeResult.ALLOW;
  }

  function credentials(
    req: AnyRequest,
    allow: PrincipalType[] = ALL,
  ): Promise<CallerCredentials> {
    // httpAuth caches per request; NotAllowedError for a principal type the
    // route does not accept, AuthenticationError without credentials.
    return httpAuth.credentials(req, { allow });
  }

  async function authorize(
    req: AnyRequest,
    permission: Permission,
    options: {
      resourceRef?: string;
      allow?: PrincipalType[];
      what?: string;
    } = {},
  ): Promise<CallerCredentials> {
    const caller = await credentials(req, options.allow);
    if (!(await allowed(caller, permission, options.resourceRef))) {
      throw refusal(
        options.what
          ? `You are not allowed to ${options.what}`
          : `Missing permission ${permission.name}${
              options.resourceRef ? ` on ${options.resourceRef}` : ''
            }`,
        permission,
      );
    }
    return caller;
  }

  /** Records an `access-denied` event when the response is a 403 nobody audited. */
  function auditForbidden(req: AnyRequest, res: Response) {
    let message: string | undefined;
    const json = res.json.bind(res);
    res.json = (body?: any) => {
      if (res.statusCode === 403 && typeof body?.error?.message === 'string') {
        message = body.error.message;
      }
      return json(body);
    };
    res.once('finish', () => {
      if (res.statusCode !== 403 || denialAudited(req)) return;
      markDenialAudited(req);
      const operation = operations.get(req);
      const access = operation?.access;
      auditor
        .createEvent({
          eventId: ACCESS_DENIED_EVENT,
          severityLevel: 'medium',
          request: req,
          meta: {
            target: `${req.baseUrl}${req.path}`,
            method: req.method,
            ...(operation ? { operation: operation.key } : {}),
            ...(access?.kind === 'permission'
              ? { permission: access.permission.name }
              : {}),
          },
        })
        .then(event =>
          event.fail({
            error: new NotAllowedError(message ?? 'Forbidden'),
          }),
        )
        .catch(() => undefined);
    });
  }

  async function check(req: AnyRequest, operation: GuardedOperation) {
    const { access } = operation;
    if (access.kind === 'public') return;
    const caller = await credentials(req, access.allow);
    if (access.kind === 'authenticate') return;
    if (!(await allowed(caller, access.permission))) {
      throw refusal(
        access.message ??
          `You are not allowed to do this (missing permission ${access.permission.name})`,
        access.permission,
      );
    }
  }

  return {
    middleware(spec, access) {
      const table = compileOperations(spec, access);
      return (req, res, next) => {
        const operation = table.match(req.method, req.path);
        if (!operation) {
          next();
          return;
        }
        operations.set(req, operation);
        auditForbidden(req, res);
        check(req, operation).then(
          () => next(),
          error => answerError(req, res, error, logger),
        );
      };
    },
    credentials,
    authorize,
    allowed,
  };
}
