import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  AuthenticationError,
  ConflictError,
  serializeError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { audited } from '@opsdeck/plugin-opsdeck-node';
import express, {
  type NextFunction,
  type Request,
  type Response,
  Router,
} from 'express';
import { parseIntakeBody } from './body';
import type { IntakeService } from './IntakeService';
import { readIntakeHeaders, signatureMatches } from './signature';

/** Path of the intake route below /api/cicd (allowed without a Backstage credential). */
export const INTAKE_PATH = '/intake/builds';

const STATUS: Record<string, number> = {
  AuthenticationError: 401,
  InputError: 400,
  ConflictError: 409,
  NotFoundError: 404,
};

/**
 * The signed intake webhook (POST /intake/builds), mounted before the
 * OpenAPI router: Backstage lets it through without a credential
 * (plugin.ts), so the signature is the credential. In order, before the
 * body is parsed: the intake headers (form, timestamp within the window) →
 * 401; a declared length over the cap → 413; the raw body read with the cap
 * → 413; the HMAC over timestamp, delivery id and raw body with the secret
 * out of the vault → 401; the delivery id (one atomic insert) → 409 when
 * seen before. Only then is the JSON parsed (400 for what cannot be used),
 * and the accepted build is audited with the CI system as actor.
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
  const { maxBodyBytes, toleranceSeconds } = intake.config;

  router.post(
    INTAKE_PATH,
    (req, res, next) => {
      if (!intake.config.credential) {
        next(new AuthenticationError('The build intake is not configured'));
        return;
      }
      try {
        res.locals.intake = readIntakeHeaders(
          req.headers,
          now(),
          toleranceSeconds,
        );
      } catch (e) {
        next(e);
        return;
      }
      const declared = Number(req.headers['content-length']);
      if (declared > maxBodyBytes) {
        next(Object.assign(new Error('Body too large'), { status: 413 }));
        return;
      }
      next();
    },
    express.raw({ type: () => true, limit: maxBodyBytes }),
    (req, res, next) => {
      accept(req, res).catch(next);
    },
  );

  async function accept(req: Request, res: Response) {
    const headers = res.locals.intake;
    const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let secret: string;
    try {
      secret = await intake.secret();
    } catch (e) {
      logger.error(`CI/CD intake: the secret is not available: ${e}`);
      throw new ServiceUnavailableError('The intake secret is not available');
    }
    if (!signatureMatches(secret, headers, raw)) {
      throw new AuthenticationError('The signature does not match the body');
    }
    if (!(await intake.claimDelivery(headers.delivery, now()))) {
      throw new ConflictError(
        `Delivery ${headers.delivery} was received before`,
      );
    }
    const body = parseIntakeBody(raw, intake.config.maxLogBytes);
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
          delivery: headers.delivery,
        },
        successMeta: r => ({ stored: r.stored, cause: r.cause?.id }),
      },
      () => intake.accept(body, headers.delivery, now()),
    );
    res.status(202).json(result);
  }

  // answers the intake's refusals itself, in Backstage's error shape
  router.use(
    INTAKE_PATH,
    (error: any, req: Request, res: Response, next: NextFunction) => {
      if (res.headersSent) {
        next(error);
        return;
      }
      const tooLarge =
        error?.status === 413 || error?.type === 'entity.too.large';
      const statusCode = tooLarge
        ? 413
        : STATUS[error?.name] ??
          (error?.name === 'ServiceUnavailableError' ? 503 : 500);
      if (statusCode === 500) {
        logger.error(`CI/CD intake failed: ${error}`);
      }
      let safe: Error = error;
      if (statusCode === 500) {
        safe = new Error('The build could not be taken in');
      } else if (tooLarge) {
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
