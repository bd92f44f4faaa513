import {
  AuditorService,
  AuditorServiceCreateEventOptions,
  AuditorServiceEventSeverityLevel,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { EventsService } from '@backstage/plugin-events-node';
import {
  VAULT_CREDENTIAL_SAVED_TOPIC,
  type VaultCredentialSavedEvent,
} from '@opsdeck/plugin-vault-node';
import { InputError } from '@backstage/errors';
import {
  audited as auditedEvent,
  createRequestGuard,
  principalRef,
} from '@opsdeck/plugin-opsdeck-node';
import express, { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { createOpenApiRouter } from '../schema/openapi.generated';
import type {
  CredentialMetadata,
  CredentialPolicy,
} from '@opsdeck/plugin-vault-node';
import { CredentialService, policyOf } from './CredentialService';

/** What the router needs; plugin.ts supplies the core services. */
export interface RouterOptions {
  credentials: CredentialService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  /** Told when a secret was stored ({@link VAULT_CREDENTIAL_SAVED_TOPIC}). */
  events?: EventsService;
  logger?: LoggerService;
}

type AuditMeta = NonNullable<AuditorServiceCreateEventOptions['meta']>;

/** Audit target of a credential. */
const targetOf = (name: string) => `vault:credential/${name}`;

/** The JSON shape of a credential (metadata only, by construction). */
export function toJson(credential: CredentialMetadata) {
  return {
    name: credential.name,
    type: credential.type,
    username: credential.username,
    description: credential.description,
    owner: credential.owner,
    allowedUses: credential.allowedUses,
    allowedSystems: credential.allowedSystems,
    allowedEnvironments: credential.allowedEnvironments,
    fingerprint: credential.fingerprint,
    keyAlgorithm: credential.keyAlgorithm,
    keyId: credential.keyId,
    createdBy: credential.createdBy,
    createdAt: credential.createdAt.toISOString(),
    updatedBy: credential.updatedBy,
    updatedAt: credential.updatedAt.toISOString(),
    secretUpdatedAt: credential.secretUpdatedAt.toISOString(),
  };
}

// JSON.parse messages quote part of the input, which may be a secret: replace
// them before the OpenAPI layer turns them into a 400 response.
const jsonBody = express.json({ limit: '64kb' });
const hideJsonParseErrors: ErrorRequestHandler = (error, _req, _res, next) => {
  if (error?.type === 'entity.parse.failed') {
    next(new InputError('The request body is not valid JSON'));
  } else if (error?.type === 'entity.too.large') {
    next(new InputError('The request body is too large'));
  } else {
    next(error);
  }
};

/** HTTP API of the vault (validated against openapi.yaml). No route returns a secret. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { credentials, auditor, events, logger } = options;

  /** Tells other plugins a secret was stored; a failure never fails the save. */
  async function announceSaved(payload: VaultCredentialSavedEvent) {
    try {
      await events?.publish({
        topic: VAULT_CREDENTIAL_SAVED_TOPIC,
        eventPayload: payload,
      });
    } catch (e) {
      logger?.warn(
        `Could not announce the saved credential ${payload.name}: ${e}`,
      );
    }
  }
  const guard = createRequestGuard(options);
  // permissions per operation (schema/access.ts), checked before the body is read
  const router = createOpenApiRouter({
    guard,
    // express tells error handlers by their four parameters.
    middleware: [jsonBody, hideJsonParseErrors as unknown as RequestHandler],
  });

  /** The checked caller, as stored in createdBy/updatedBy. */
  const actorOf = async (req: Request<any, any, any, any, any>) =>
    principalRef(await guard.credentials(req));

  /** Runs a mutation as an audited event; meta never holds secret material. */
  async function audited<T>(
    req: Request<any, any, any, any, any>,
    event: {
      eventId: string;
      severityLevel: AuditorServiceEventSeverityLevel;
      meta: AuditMeta;
    },
    action: () => Promise<T>,
    successMeta?: (result: T) => AuditMeta,
  ): Promise<T> {
    const { target, ...meta } = event.meta as { target: string };
    return auditedEvent(
      auditor,
      { ...event, request: req, target, meta, successMeta },
      action,
    );
  }

  router.get('/credentials', async (_req, res) => {
    const items = await credentials.list();
    res.json({ items: items.map(toJson) });
  });

  router.get('/credentials/:name', async (req, res) => {
    res.json(toJson(await credentials.get(req.params.name)));
  });

  router.post('/credentials', async (req, res) => {
    const caller = await actorOf(req);
    const { name, type, username, description, secret } = req.body;
    const policy = {
      owner: req.body.owner,
      allowedUses: req.body.allowedUses,
      allowedSystems: req.body.allowedSystems,
      allowedEnvironments: req.body.allowedEnvironments,
    };
    const created = await audited(
      req,
      {
        eventId: 'vault-credential-create',
        severityLevel: 'high',
        meta: { target: targetOf(name), type },
      },
      () =>
        credentials.create(
          { name, type, username, description, secret, ...policy },
          caller,
        ),
      c => ({ policy: policyMeta(policyOf(c)) }),
    );
    await announceSaved({ name: created.name, actor: caller });
    res.status(201).json(toJson(created));
  });

  router.put('/credentials/:name/secret', async (req, res) => {
    const { name } = req.params;
    const caller = await actorOf(req);
    const updated = await audited(
      req,
      {
        eventId: 'vault-credential-secret-replace',
        severityLevel: 'high',
        meta: { target: targetOf(name) },
      },
      () => credentials.replaceSecret(name, req.body.secret, caller),
    );
    await announceSaved({ name: updated.name, actor: caller });
    res.json(toJson(updated));
  });

  router.patch('/credentials/:name', async (req, res) => {
    const { name } = req.params;
    const caller = await actorOf(req);
    const { username, description } = req.body;
    const updated = await audited(
      req,
      {
        eventId: 'vault-credential-update',
        severityLevel: 'medium',
        meta: {
          target: targetOf(name),
          fields: Object.keys(req.body).sort(),
        },
      },
      () => credentials.update(name, { username, description }, caller),
    );
    res.json(toJson(updated));
  });

  router.put('/credentials/:name/policy', async (req, res) => {
    const { name } = req.params;
    const caller = await actorOf(req);
    const { after } = await audited(
      req,
      {
        eventId: 'vault-credential-policy-update',
        severityLevel: 'high',
        meta: { target: targetOf(name) },
      },
      () => credentials.setPolicy(name, req.body, caller),
      ({ before, after: now }) => ({
        before: policyMeta(before),
        after: policyMeta(policyOf(now)),
      }),
    );
    res.json(toJson(after));
  });

  router.delete('/credentials/:name', async (req, res) => {
    const { name } = req.params;
    await audited(
      req,
      {
        eventId: 'vault-credential-delete',
        severityLevel: 'high',
        meta: { target: targetOf(name) },
      },
      () => credentials.delete(name),
    );
    res.status(204).end();
  });

  router.post('/rotate', async (req, res) => {
    const result = await audited(
      req,
      {
        eventId: 'vault-rotate',
        severityLevel: 'high',
        meta: {
          target: 'vault:credentials',
          kid: credentials.currentKeyId,
        },
      },
      () => credentials.rotate(),
      ({ reencrypted, total }) => ({ reencrypted, total }),
    );
    res.json({ keyId: credentials.currentKeyId, ...result });
  });

  return router;
}

/** A policy as audit metadata (plain JSON). */
function policyMeta(policy: CredentialPolicy): AuditMeta {
  return {
    owner: policy.owner ?? null,
    allowedUses: [...policy.allowedUses],
    allowedSystems: [...policy.allowedSystems],
    allowedEnvironments: [...policy.allowedEnvironments],
  };
}
