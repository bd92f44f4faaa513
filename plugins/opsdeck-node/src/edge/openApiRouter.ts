import type {
  ApiRouter,
  createValidatedOpenApiRouter,
} from '@backstage/backend-openapi-utils';
import { InputError } from '@backstage/errors';
import type {
  ErrorRequestHandler,
  NextFunction,
  Request,
  RequestHandler,
  Response,
} from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import Router from 'express-promise-router';

type Spec = Parameters<typeof createValidatedOpenApiRouter>[0];
type ValidatorOptions = Partial<
  Parameters<typeof OpenApiValidator.middleware>[0]
>;

/**
 * The router Backstage's `createValidatedOpenApiRouter` makes (the same
 * middleware, request validation with the same defaults, validation errors
 * as InputError, the spec at `/openapi.json`), except that the validator is
 * built on the first request instead of at plugin start.
 *
 * Building express-openapi-validator compiles the OpenAPI meta-schema and
 * every request and response schema of the spec with ajv: about a tenth of
 * a second per plugin on two cores, paid before the backend is ready by
 * every plugin, although most are not called for minutes (#15: nothing at
 * plugin start that can wait). The spec itself is checked against the
 * OpenAPI schema when the router is generated (scripts/openapi-generate.mjs).
 */
export function createLazyValidatedOpenApiRouter<T extends Spec>(
  spec: T,
  options: {
    middleware: RequestHandler[];
    validatorOptions?: ValidatorOptions;
  },
): ApiRouter<T> {
  const router = Router();
  router.use(options.middleware);

  let validators: RequestHandler[] | undefined;
  const validate = (req: Request, res: Response, next: NextFunction) => {
    validators ??= OpenApiValidator.middleware({
      validateRequests: {
        coerceTypes: false,
        allowUnknownQueryParameters: false,
      },
      useRequestUrl: true,
      ignoreUndocumented: true,
      validateResponses: false,
      validateApiSpec: false,
      ...options.validatorOptions,
      apiSpec: spec as any,
    }) as RequestHandler[];
    const chain = validators;
    const step = (i: number, error?: unknown) => {
      if (error !== undefined && error !== null) {
        next(error);
      } else if (i === chain.length) {
        next();
      } else {
        chain[i](req, res, e => step(i + 1, e));
      }
    };
    step(0);
  };
  router.use(validate);
  const toInputError: ErrorRequestHandler = (error, _req, _res, next) => {
    next(new InputError(error.message));
  };
  router.use(toInputError);

  // the spec with its paths under the plugin's mount path, as Backstage serves it
  router.get('/openapi.json', (req, res) => {
    const prefix = req.originalUrl.replace(/\/openapi\.json(\?.*)?$/, '');
    const paths = Object.fromEntries(
      Object.entries((spec as { paths?: object }).paths ?? {}).map(
        ([path, item]) => [`${prefix}${path}`, item],
      ),
    );
    res.json({ ...spec, paths });
  });
  return router as unknown as ApiRouter<T>;
}
