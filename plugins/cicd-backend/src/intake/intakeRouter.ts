import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { serializeError } from '@backstage/errors';
import { audited } from '@opsdeck/plugin-opsdeck-node';
import {
  type NextFunction,
  type Request,
  type Response,
  Router,
} from 'express';
import { parseIntakeBody } from './body';
import { parseDeploymentBody } from './deployBody';
import type { IntakeService } from './IntakeService';
import { verifySignedRequest } from './signedRequest';

/** Path of the intake route below /api/cicd (allowed without a Backstage credential). */
export const INTAKE_PATH = '/intake/builds';
/** Path of the signed deploy webhook (allowed without a Backstage credential). */
export const DEPLOY_PATH = '/intake/deployments';

const STATUS: Record<string, number> = {
  AuthenticationError: 401,
  InputError: 400,
  ConflictError: 409,
  NotFoundError: 404,
  TooManyRequestsError: 429,
  UnsupportedMediaTypeError: 415,
};

/**
 * The signed intake webhook (POST /intake/builds), mounted before the
 * OpenAPI router: Backstage lets it through without a credential
 * (plugin.ts), so the signature is the credential, checked by
 * verifySignedRequest (signedRequest.ts: headers → 401, size → 413, the
 * failure gate → 429, the claimed system's secret and the HMAC over the
 * raw bytes → 401, the delivery id → 409, then decompression with a cap
 * → 413, parsing → 400, the body's system is the signer's → 401). The
 * accepted build is audited with the CI system as actor.
 */
export function createIntakeRouter(options: {
  intake: IntakeService;
  auditor: AuditorService;
  logger: LoggerService;
  now?: () => number;
}): Router {
  const { intake, auditor, logger } = options;
  const now = options.now ?? Date.now;
  const router = Router();
  const { maxBodyBytes } = intake.config;

  router.post(INTAKE_PATH, (req, res, next) => {
    accept(req, res).catch(next);
  });
  router.post(DEPLOY_PATH, (req, res, next) => {
    acceptDeployment(req, res).catch(next);
  });

  // the same check as builds (verifySignedRequest), another body
  async function acceptDeployment(req: Request, res: Response) {
    const { delivery, body } = await verifySignedRequest(
      req,
      intake,
      parseDeploymentBody,
      { now: now(), logger },
    );
    const result = await audited(
      auditor,
      {
        eventId: 'deployment-intake',
        request: req,
        actor: `ci:${body.system}`,
        target: body.entityRef,
        meta: {
          system: body.system,
          environment: body.environment,
          version: body.version,
          digest: body.digest,
          commit: body.commit,
          status: body.status,
          delivery,
        },
        successMeta: r => ({ stored: r.stored }),
      },
      () => intake.acceptDeployment(body, delivery, now()),
    );
    res.status(202).json(result);
  }

  async function accept(req: Request, res: Response) {
    const { delivery, body } = await verifySignedRequest(
      req,
      intake,
      raw => parseIntakeBody(raw, intake.config.maxLogBytes),
      { now: now(), logger },
    );
    const result = await audited(
      auditor,
      {
        eventId: 'build-intake',
        request: req,
        actor: `ci:${body.system}`,
        target: body.entityRef,
        meta: {
          system: body.system,
          job: body.job,
          number: body.number,
          result: body.result,
          delivery,
        },
        successMeta: r => ({ stored: r.stored, cause: r.cause?.id }),
      },
      () => intake.accept(body, delivery, now()),
    );
    res.status(202).json(result);
  }

  // answers the intake's refusals itself, in Backstage's error shape
  router.use(
    [INTAKE_PATH, DEPLOY_PATH],
    (error: any, req: Request, res: Response, next: NextFunction) => {
      if (res.headersSent) {
        next(error);
        return;
      }
      const tooLarge = error?.status === 413;
      const statusCode = tooLarge
        ? 413
        : STATUS[error?.name] ??
          (error?.name === 'ServiceUnavailableError' ? 503 : 500);
      if (statusCode === 500) {
        logger.error(`CI/CD intake failed: ${error}`);
      }
      if (statusCode === 429) {
        res.setHeader('Retry-After', String(error.retryAfterSeconds));
      }
      let safe: Error = error;
      if (statusCode === 500) {
        safe = new Error('The post could not be taken in');
      } else if (tooLarge && error?.name !== 'PayloadTooLargeError') {
        safe = Object.assign(
          new Error(`The body is larger than ${maxBodyBytes} bytes`),
          { name: 'PayloadTooLargeError' },
        );
      }
      res.status(statusCode).json({
        error: serializeError(safe, { includeStack: false }),
        request: { method: req.method, url: req.url },
        response: { statusCode },
      });
    },
  );
  return router;
}
