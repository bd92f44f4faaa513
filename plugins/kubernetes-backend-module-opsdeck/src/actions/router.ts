import type {
  AuditorService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { kubernetesResourcesReadPermission } from '@backstage/plugin-kubernetes-common';
import type { Permission } from '@backstage/plugin-permission-common';
import {
  kubernetesAnyOwnerPermission,
  kubernetesDeploymentImagePermission,
  kubernetesDeploymentRestartPermission,
  kubernetesDeploymentScalePermission,
  kubernetesPodDeletePermission,
  kubernetesProdChangePermission,
} from '@opsdeck/plugin-opsdeck-common';
import {
  audited,
  createRequestGuard,
  principalRef,
  type RateLimiter,
} from '@opsdeck/plugin-opsdeck-node';
import {
  approvalAuditMeta,
  approvalRequiredHandler,
  parseApprovalAsk,
  sendApprovalRequested,
  withChangeApproval,
  type ChangeApprovalsService,
  type ChangeApprovalTicket,
  type ClaimedApproval,
} from '@opsdeck/plugin-tickets-node';
import type {
  ImageResolverService,
  ResolvedImage,
} from '@opsdeck/plugin-registry-node';
import express, { type Request } from 'express';
import Router from 'express-promise-router';
import type { DeployActions, ImageDeployed, RolledBack } from './DeployActions';
import {
  deployAuditMeta,
  parseContainer,
  parseImage,
  parseToRevision,
  parseWatchSeconds,
} from './deployParams';
import type { WorkloadActions, WorkloadTarget } from './WorkloadActions';

/** A Kubernetes object name or namespace (DNS-1123 subdomain). */
const NAME = /^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$/;
/** Most replicas one request may ask for. */
export const MAX_REPLICAS = 100;

/** The target named by a request body, refused unless every field parses. */
export function parseTarget(body: unknown): WorkloadTarget {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InputError('The body is a JSON object');
  }
  let entityRef: string;
  try {
    const ref = parseEntityRef(String(b.entityRef ?? ''), {
      defaultKind: 'component',
      defaultNamespace: 'default',
    });
    if (ref.kind.toLocaleLowerCase('en-US') !== 'component') throw new Error();
    entityRef = stringifyEntityRef(ref);
  } catch {
    throw new InputError('entityRef is a component entity ref');
  }
  for (const field of ['cluster', 'namespace', 'name'] as const) {
    if (typeof b[field] !== 'string' || !NAME.test(b[field] as string)) {
      throw new InputError(`${field} is a Kubernetes name`);
    }
  }
  return {
    entityRef,
    cluster: b.cluster as string,
    namespace: b.namespace as string,
    name: b.name as string,
  };
}

/** The replicas of a scale request: an integer from 0 to {@link MAX_REPLICAS}. */
export function parseReplicas(body: unknown): number {
  const replicas = (body as Record<string, unknown>)?.replicas;
  if (
    typeof replicas !== 'number' ||
    !Number.isInteger(replicas) ||
    replicas < 0 ||
    replicas > MAX_REPLICAS
  ) {
    throw new InputError(`replicas is an integer from 0 to ${MAX_REPLICAS}`);
  }
  return replicas;
}

/** What an action answers, or the ticket opened instead of running it. */
type ActionOutcome = {
  [key: string]: unknown;
  requested?: ChangeApprovalTicket;
  approval?: ClaimedApproval;
};

/**
 * opsdeck's workload actions under `/api/kubernetes/opsdeck`: restart a
 * deployment, scale it, delete a pod. Each checks the person's sign-in and
 * permission first, then parses, then resolves the component and cluster
 * for the person (owner scope, prod needs `opsdeck.kubernetes.prod.change`),
 * and is audited with the person as actor, refusals included.
 */
export function createActionsRouter(options: {
  actions: WorkloadActions;
  /** Deploy an image and roll back (with `images`). */
  deploys?: DeployActions;
  /**
   * Rollout reads a person may make (`opsdeck.kubernetes.rollout.
   * readsPerMinute`): checked right after sign-in and permission, before the
   * catalog or the cluster is asked (429 kubernetes-rate-limited).
   */
  rolloutReads: RateLimiter;
  /** Resolves an image tag to its digest in a registry opsdeck knows. */
  images?: ImageResolverService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger: LoggerService;
  now?: () => Date;
  /**
   * Change approvals through tickets: a prod action by someone without
   * opsdeck.kubernetes.prod.change runs with a ticket approving exactly it.
   */
  approvals?: ChangeApprovalsService;
}) {
  const guard = createRequestGuard(options);
  const now = options.now ?? (() => new Date());
  const router = Router();
  router.use(express.json({ limit: '16kb' }));

  type Credentials = Awaited<ReturnType<typeof guard.credentials>>;
  const route = <T, C extends object = {}>(
    path: string,
    eventId: string,
    permission: Permission,
    run: (
      req: Request,
      target: WorkloadTarget,
      resolved: Awaited<ReturnType<WorkloadActions['resolve']>>,
      credentials: Credentials,
      extra: C,
    ) => Promise<T>,
    /**
     * What else decides the change (e.g. the replicas of a scale, the pinned
     * digest of an image), parsed and resolved after the permission check
     * and before the component, the cluster or the approval gate.
     */
    changeOf: (req: Request, credentials: Credentials) => C | Promise<C> = () =>
      ({} as C),
    /**
     * Refuses a change an approval could not pin (what it does would be
     * decided when the ticket is used, not when it is approved) or one that
     * could not run (a revision the deployment does not have): run before a
     * ticket is opened or claimed.
     */
    approvable: (
      change: C,
      target: WorkloadTarget,
      resolved: Awaited<ReturnType<WorkloadActions['resolve']>>,
      credentials: Credentials,
    ) => Promise<void> | void = () => {},
  ) =>
    router.post(path, async (req, res) => {
      const credentials = await guard.credentials(req, ['user']);
      const raw = (req.body ?? {}) as Record<string, unknown>;
      const result = await audited<ActionOutcome>(
        options.auditor,
        {
          eventId,
          request: req,
          target: `kubernetes:${String(raw.cluster ?? '')}/${String(
            raw.namespace ?? '',
          )}/${String(raw.name ?? '')}`.slice(0, 600),
          meta: {
            component: String(raw.entityRef ?? '').slice(0, 300),
            ...(typeof raw.image === 'string'
              ? { imageRequested: raw.image.slice(0, 600) }
              : {}),
          },
          successMeta: outcome => ({
            ...approvalAuditMeta(outcome),
            ...deployAuditMeta(outcome),
          }),
        },
        async () => {
          await guard.authorize(req, permission, { allow: ['user'] });
          const target = parseTarget(req.body);
          const ask = parseApprovalAsk(req.body);
          const extra = await changeOf(req, credentials);
          const change = {
            action: eventId,
            ...target,
            ...extra,
          };
          const anyOwner = await guard.allowed(
            credentials,
            kubernetesAnyOwnerPermission,
          );
          const resolved = await options.actions.resolve(
            target,
            credentials,
            anyOwner,
          );
          let approval: ClaimedApproval | undefined;
          if (
            resolved.prod &&
            !(await guard.allowed(credentials, kubernetesProdChangePermission))
          ) {
            if (ask.requestApproval || ask.approvalTicket) {
              await approvable(extra, target, resolved, credentials);
            }
            const gate = await withChangeApproval({
              approvals: options.approvals,
              ask,
              kind: 'kubernetes-action',
              target: target.entityRef,
              change,
              summary: `${eventId.replace('kubernetes-', '')} ${
                target.namespace
              }/${target.name} on ${target.cluster}${
                'replicas' in change ? ` to ${change.replicas} replicas` : ''
              }${'pinned' in change ? ` to ${change.pinned}` : ''}${
                'toRevision' in change
                  ? ` to revision ${change.toRevision}`
                  : ''
              }`,
              credentials,
              refusal: `${target.cluster} is a ${resolved.environment} cluster: changing its workloads needs ${kubernetesProdChangePermission.name}`,
            });
            if (!gate.run) return { requested: gate.requested };
            approval = gate.approval;
          }
          const done: ActionOutcome = {
            ...(await run(req, target, resolved, credentials, extra)),
            environment: resolved.environment,
            ...(approval ? { approval } : {}),
          };
          return done;
        },
      );
      if (result.requested) {
        sendApprovalRequested(res, result.requested);
        return;
      }
      res.json(result);
    });

  route(
    '/deployments/restart',
    'kubernetes-deployment-restart',
    kubernetesDeploymentRestartPermission,
    (_req, target, resolved, credentials) =>
      options.actions.restartDeployment(resolved, target, credentials, now()),
  );
  route(
    '/deployments/scale',
    'kubernetes-deployment-scale',
    kubernetesDeploymentScalePermission,
    (req, target, resolved, credentials) =>
      options.actions.scaleDeployment(
        resolved,
        target,
        credentials,
        parseReplicas(req.body),
      ),
    // the approved change names the replicas: another count is another change
    req => ({ replicas: parseReplicas(req.body) }),
  );
  route(
    '/pods/delete',
    'kubernetes-pod-delete',
    kubernetesPodDeletePermission,
    (_req, target, resolved, credentials) =>
      options.actions.deletePod(resolved, target, credentials),
  );

  const { deploys, images } = options;
  if (deploys && images) {
    route<ImageDeployed, ResolvedImage & { container: string }>(
      '/deployments/image',
      'kubernetes-deployment-image',
      kubernetesDeploymentImagePermission,
      (req, target, resolved, credentials, extra) =>
        deploys.setImage(
          resolved,
          target,
          credentials,
          extra.container,
          extra,
          parseWatchSeconds(req.body),
        ),
      // the approved change names the container and the pinned digest: a
      // tag that moved since is another change
      async (req, credentials) => {
        const container = parseContainer(req.body);
        const image = parseImage(req.body);
        parseWatchSeconds(req.body);
        const resolved: ResolvedImage = await images.resolve(image, {
          credentials,
        });
        return { container, ...resolved };
      },
    );
    route<RolledBack, { toRevision?: number }>(
      '/deployments/rollback',
      'kubernetes-deployment-rollback',
      kubernetesDeploymentImagePermission,
      (req, target, resolved, credentials, extra) =>
        deploys.rollback(
          resolved,
          target,
          credentials,
          extra.toRevision,
          parseWatchSeconds(req.body),
        ),
      (req): { toRevision?: number } => {
        const toRevision = parseToRevision(req.body);
        parseWatchSeconds(req.body);
        return toRevision === undefined ? {} : { toRevision };
      },
      // "the previous revision" is whatever precedes the deployment's when
      // the ticket is used: an approval names the revision itself, one the
      // deployment has (read now: no ticket is opened or spent on a
      // revision that is not there)
      async (extra, target, resolved, credentials) => {
        if (extra.toRevision === undefined) {
          throw new InputError(
            'A rollback approved by ticket names toRevision (the revision approvers approve)',
          );
        }
        await deploys.checkRollback(
          resolved,
          target,
          credentials,
          extra.toRevision,
        );
      },
    );
  }

  if (deploys) {
    // Where a deployment's rollout is now (the Kubernetes tab and the
    // deploy-image step poll it after a change): a read, so not audited;
    // sign-in, kubernetes.resources.read, then the same owner scope and
    // workload checks as the actions, with the vault's token for the person.
    // Limited per person: enough for the UI's and the deploy step's polling,
    // not for a loop hammering the cluster's API.
    router.get('/deployments/rollout', async (req, res) => {
      const credentials = await guard.authorize(
        req,
        kubernetesResourcesReadPermission,
        { allow: ['user'] },
      );
      await options.rolloutReads.enforce(res, {
        person: principalRef(credentials),
      });
      const target = parseTarget(req.query);
      const resolved = await options.actions.resolve(
        target,
        credentials,
        await guard.allowed(credentials, kubernetesAnyOwnerPermission),
      );
      res.json(await deploys.rollout(resolved, target, credentials));
    });
  }

  // A prod action without the prod permission: 403 that says an approved
  // ticket would do (audited above as a refusal).
  router.use(approvalRequiredHandler());
  return router;
}
