import type {
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import {
  rootHttpRouterServiceFactory,
  type MiddlewareFactory,
} from '@backstage/backend-defaults/rootHttpRouter';
import { isError } from '@backstage/errors';
import { errorCodeForStatus } from '@opsdeck/plugin-opsdeck-common';
import { randomBytes } from 'node:crypto';
import type { ErrorRequestHandler } from 'express';

/**
 * True only for a development backend: `auth.environment: development` (the
 * default) and NODE_ENV not `production`. Error responses carry stack traces
 * only then.
 */
export function isDevelopment(config: RootConfigService): boolean {
  return (
    (config.getOptionalString('auth.environment') ?? 'development') ===
      'development' && process.env.NODE_ENV !== 'production'
  );
}

// How Backstage's error handler picks the status of an error.
const STATUS_BY_NAME: Record<string, number> = {
  NotModifiedError: 304,
  InputError: 400,
  AuthenticationError: 401,
  NotAllowedError: 403,
  NotFoundError: 404,
  ConflictError: 409,
  NotImplementedError: 501,
  ServiceUnavailableError: 503,
};

function statusOf(error: unknown): number {
  for (const field of ['statusCode', 'status'] as const) {
    const value = (error as Record<string, unknown>)?.[field];
    if (
      typeof value === 'number' &&
      Number.isInteger(value) &&
      value >= 100 &&
      value <= 599
    ) {
      return value;
    }
  }
  return STATUS_BY_NAME[(error as Error)?.name] ?? 500;
}

/**
 * Gives `error` the opsdeck error code of `status` (opsdeck-common's
 * OpsdeckErrorCode) unless it already has a string code of its own; the
 * response body then carries it as `error.code` beside the message.
 */
export function withErrorCode<T>(error: T, status: number): T {
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !/^[a-z]+(-[a-z]+)*$/.test(code)) {
      try {
        Object.defineProperty(error, 'code', {
          value: errorCodeForStatus(status),
          enumerable: true,
          configurable: true,
          writable: true,
        });
      } catch {
        // a frozen error keeps its own fields
      }
    }
  }
  return error;
}

// The code and detail names coded() gave an error, so that a server error
// (5xx) keeps them while its message is withheld.
const CODED = Symbol('opsdeck.coded');

// Fields of an error that Backstage's handler or the answer reads.
const RESERVED = new Set([
  'name',
  'message',
  'stack',
  'cause',
  'code',
  'statusCode',
  'reference',
]);

type CodedDetails = Record<string, string | number | boolean>;

/**
 * Gives a refusal its own stable code (`files-upload-too-large`), and any
 * details its text names (`{ maxBytes }`): the response carries them in
 * `error` beside the English message, and the portal says the code in the
 * reader's language from the plugin's translation ref (opsdeck-common's
 * serverErrorMessage). A code is lower-case words joined by `-`, prefixed by
 * the plugin's id. A coded server error (5xx, e.g. `registry-unreachable`)
 * keeps its code and these details outside development too, though not its
 * message: put nothing in the details that a caller must not read. A detail
 * may not be named like a field the answer is made of (`name`, `message`,
 * `statusCode`, a numeric `status`, …): those throw.
 */
export function coded<T extends Error>(
  error: T,
  code: string,
  details: CodedDetails = {},
): T & { code: string } {
  if (!/^[a-z]+(-[a-z]+)+$/.test(code)) {
    throw new Error(`Not an error code: ${code}`);
  }
  for (const [key, value] of Object.entries(details)) {
    // a detail must not replace what picks the status or the answer's words
    if (RESERVED.has(key) || (key === 'status' && typeof value === 'number')) {
      throw new Error(`Not a detail name of ${code}: ${key}`);
    }
  }
  Object.defineProperty(error, CODED, {
    value: { code, details: { ...details } },
    enumerable: false,
    configurable: true,
  });
  return Object.assign(error, details, { code });
}

/** What coded() gave `error`, if it did. */
function codedOf(
  error: unknown,
): { code: string; details: CodedDetails } | undefined {
  return error && typeof error === 'object'
    ? (error as { [CODED]?: { code: string; details: CodedDetails } })[CODED]
    : undefined;
}

/**
 * The error handler of opsdeck's root router: Backstage's own, except that
 * every response carries an opsdeck error code ({@link withErrorCode}),
 * outside development no response carries a stack trace (of the error or its
 * causes), and a server error (5xx) carries no message of its own (they name
 * files, hosts and SQL): the response says "An internal error occurred" with
 * a reference, and the log has the full error under that reference. A server
 * error given a code by {@link coded} keeps that code and its details.
 */
export function createErrorHandler(options: {
  middleware: Pick<MiddlewareFactory, 'error'>;
  logger: LoggerService;
  development: boolean;
}): ErrorRequestHandler {
  const { middleware, logger, development } = options;
  const backstage = middleware.error({ showStackTraces: development });
  return (error, req, res, next) => {
    const status = statusOf(error);
    if (development || status < 500) {
      backstage(withErrorCode(error, status), req, res, next);
      return;
    }
    const reference = randomBytes(8).toString('hex');
    logger.error(
      `Request failed with status ${status} (reference ${reference}): ${req.method} ${req.originalUrl}`,
      isError(error) ? error : new Error(String(error)),
    );
    const own = codedOf(error);
    const safe = Object.assign(
      new Error(`An internal error occurred (reference ${reference})`),
      own?.details ?? {},
      {
        statusCode: status,
        code: own?.code ?? errorCodeForStatus(status),
        reference,
      },
    );
    delete safe.stack;
    backstage(safe, req, res, next);
  };
}

/**
 * Backstage's root HTTP router with opsdeck's error handler
 * ({@link createErrorHandler}); everything else as the default.
 */
export const opsdeckRootHttpRouterServiceFactory = rootHttpRouterServiceFactory(
  {
    configure({ applyDefaults, middleware, config, logger }) {
      const development = isDevelopment(config);
      const errorHandler = createErrorHandler({
        // the default handler, before it is replaced below
        middleware: { error: middleware.error.bind(middleware) },
        logger,
        development,
      });
      middleware.error = () => errorHandler;
      applyDefaults();
    },
  },
);
