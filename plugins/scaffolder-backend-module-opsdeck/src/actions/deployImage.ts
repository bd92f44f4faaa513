import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { followRollout, oneLine, type RolloutSnapshot } from './rolloutFollow';
import type {
  ApprovalStatus,
  ChangeApprovalsService,
} from '@opsdeck/plugin-tickets-node';

/** Id of the action that deploys an image to a component's deployment. */
export const DEPLOY_IMAGE_ACTION_ID = 'opsdeck:kubernetes:deploy-image';

/** The kubernetes plugin's name of a cluster resource (`name`, or `namespace.name` outside `default`). */
export function clusterNameOf(value: string): string {
  let ref;
  try {
    ref = parseEntityRef(value.trim(), {
      defaultKind: 'resource',
      defaultNamespace: 'default',
    });
  } catch {
    throw new InputError(`"${value}" is not a cluster resource ref`);
  }
  if (ref.kind.toLocaleLowerCase('en-US') !== 'resource') {
    throw new InputError(`"${value}" is a ${ref.kind}, not a cluster resource`);
  }
  return ref.namespace === 'default'
    ? ref.name
    : `${ref.namespace}.${ref.name}`;
}

/** What the kubernetes module answered, or why not. */
export type Answer = { status: number; body: any };

/**
 * `POST /api/kubernetes/opsdeck/<path>` with the JSON `body` (or `GET` with
 * `query`) with a token on behalf of the person who runs the template: the
 * module's permission, owner scope, prod approval and audit apply to that
 * person, never to the scaffolder.
 */
async function request(
  options: { discovery: DiscoveryService; auth: AuthService },
  credentials: BackstageCredentials,
  path: string,
  send: { body: unknown } | { query: Record<string, string> },
  signal?: AbortSignal,
): Promise<Answer> {
  const [base, { token }] = await Promise.all([
    options.discovery.getBaseUrl('kubernetes'),
    options.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'kubernetes',
    }),
  ]);
  const response =
    'body' in send
      ? await fetch(`${base}/opsdeck${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
          },
          body: JSON.stringify(send.body),
          signal,
        })
      : await fetch(
          `${base}/opsdeck${path}?${new URLSearchParams(send.query)}`,
          { headers: { authorization: `Bearer ${token}` }, signal },
        );
  let parsed: any;
  try {
    parsed = await response.json();
  } catch {
    parsed = {};
  }
  return { status: response.status, body: parsed };
}

/** The refusal of an answer as one log line (it may quote the cluster). */
export const messageOf = (answer: Answer) =>
  oneLine(`${answer.status}: ${answer.body?.error?.message ?? 'no message'}`);

/** Resolves after `ms`, or rejects as soon as the task is cancelled. */
async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    throw new Error('The task was cancelled');
  }
}

/**
 * Waits for the decision on a change approval the person running the
 * template asked for: reads its status (as its requester; reading claims
 * nothing) until it is no longer pending or `waitMs` passed.
 */
export async function waitForDecision(options: {
  approvals: ChangeApprovalsService;
  credentials: BackstageCredentials;
  ticketId: number;
  waitMs: number;
  pollMs: number;
  signal?: AbortSignal;
}): Promise<ApprovalStatus> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const status = await options.approvals.approvalStatus({
      ticketId: options.ticketId,
      credentials: options.credentials,
    });
    if (status !== 'pending' || Date.now() >= deadline) return status;
    await pause(
      Math.min(options.pollMs, Math.max(0, deadline - Date.now())),
      options.signal,
    );
  }
}

/**
 * `opsdeck:kubernetes:deploy-image`: sets a container of a component's
 * deployment to an image of a registry opsdeck knows (the tag resolved to
 * its digest and pinned by the kubernetes module), as the person running
 * the template, and follows the rollout (`GET /deployments/rollout` every
 * `rolloutPollMs`), logging each observed change as it is seen: replicas
 * updated, ready and available of desired, the new ReplicaSet, conditions
 * such as ProgressDeadlineExceeded. On a prod cluster without
 * `opsdeck.kubernetes.prod.change` it opens an approval ticket for exactly
 * this change and waits for the decision (`approvalWaitMinutes`, default
 * 60), then deploys with it in the same run; without a decision in time it
 * stops, and a run with `approvalTicket` uses the ticket once approved.
 */
export function createDeployImageAction(options: {
  discovery: DiscoveryService;
  auth: AuthService;
  /** The change approvals (tickets-node); without them the run stops at the ticket. */
  approvals?: ChangeApprovalsService;
  /** How often a waiting run reads the ticket's status (default 10 s). */
  approvalPollMs?: number;
  /** How often the rollout is read after the change (default 2 s). */
  rolloutPollMs?: number;
}) {
  return createTemplateAction({
    id: DEPLOY_IMAGE_ACTION_ID,
    description:
      "Deploys an image to a component's Kubernetes deployment (pinned to the tag's digest), watches the rollout, optionally rolls back on failure; as the user running the template, with ticket approval on prod clusters.",
    supportsDryRun: true,
    examples: [
      {
        description: 'Deploy the image picked in the form',
        example: [
          'steps:',
          '  - id: deploy',
          '    action: opsdeck:kubernetes:deploy-image',
          '    input:',
          '      component: ${{ parameters.component }}',
          '      cluster: ${{ parameters.cluster }}',
          '      namespace: ${{ parameters.namespace }}',
          '      deployment: ${{ parameters.deployment }}',
          '      container: ${{ parameters.container }}',
          '      image: ${{ parameters.image }}',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        component: z => z.string().min(1).describe('Component entity ref'),
        cluster: z =>
          z.string().min(1).describe('Cluster resource entity ref (or name)'),
        namespace: z => z.string().min(1).describe('Kubernetes namespace'),
        deployment: z => z.string().min(1).describe('Deployment name'),
        container: z => z.string().min(1).describe('Container name'),
        image: z =>
          z
            .string()
            .min(1)
            .describe(
              'registry/repository:tag or registry/repository@sha256:…',
            ),
        watchSeconds: z =>
          z
            .number()
            .int()
            .min(0)
            .max(240)
            .optional()
            .describe('Seconds to watch the rollout (default 120)'),
        rollbackOnFailure: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Roll back to the previous ReplicaSet when the rollout fails',
            ),
        approvalTicket: z =>
          z
            .number()
            .int()
            .min(1)
            .optional()
            .describe('An approved ticket for this change (prod clusters)'),
        approvalWaitMinutes: z =>
          z
            .number()
            .int()
            .min(0)
            .max(1440)
            .optional()
            .describe(
              'Prod clusters: minutes to wait for the decision on the ticket this run opens (default 60; 0 stops at the ticket)',
            ),
      },
      output: {
        image: z => z.string().optional().describe('The pinned image deployed'),
        digest: z => z.string().optional().describe('Its digest'),
        rollout: z =>
          z.string().optional().describe('complete, failed, timeout, ...'),
        approvalTicket: z =>
          z.number().optional().describe('The approval ticket opened (prod)'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const watchSeconds = input.watchSeconds ?? 120;
      const component = stringifyEntityRef(
        parseEntityRef(input.component, {
          defaultKind: 'component',
          defaultNamespace: 'default',
        }),
      );
      const body = {
        entityRef: component,
        cluster: clusterNameOf(input.cluster),
        namespace: input.namespace,
        name: input.deployment,
        container: input.container,
        image: input.image,
        // the module does not watch: this step follows the rollout itself
        watchSeconds: 0,
        ...(input.approvalTicket
          ? { approvalTicket: input.approvalTicket }
          : {}),
      };
      ctx.logger.info(
        `Deploying ${input.image} to ${body.namespace}/${body.name} (container ${body.container}) on ${body.cluster}`,
      );
      if (ctx.isDryRun) {
        ctx.logger.info('Dry run: nothing deployed');
        return;
      }
      const credentials = await ctx.getInitiatorCredentials();
      const call = (path: string, payload: unknown) =>
        request(options, credentials, path, { body: payload }, ctx.signal);
      const workload = {
        entityRef: body.entityRef,
        cluster: body.cluster,
        namespace: body.namespace,
        name: body.name,
      };
      // the rollout as it goes, each observed change logged when seen
      const follow = () =>
        followRollout({
          read: async () => {
            const now = await request(
              options,
              credentials,
              '/deployments/rollout',
              { query: workload },
              ctx.signal,
            );
            if (now.status !== 200) {
              throw new Error(`Reading the rollout failed: ${messageOf(now)}`);
            }
            return now.body as RolloutSnapshot;
          },
          log: line => ctx.logger.info(line),
          timeoutMs: watchSeconds * 1000,
          pollMs: options.rolloutPollMs ?? 2000,
          pause: ms => pause(ms, ctx.signal),
        });
      let answer = await call('/deployments/image', body);
      if (answer.status === 403 && answer.body?.approvalRequired) {
        const asked = await call('/deployments/image', {
          ...body,
          requestApproval: true,
        });
        if (asked.status !== 202) {
          throw new Error(`Asking for approval failed: ${messageOf(asked)}`);
        }
        const id = asked.body.approvalTicket.ticketId as number;
        ctx.output('approvalTicket', id);
        const opened = `${answer.body.error.message}. Approval ticket #${id} was opened for exactly this change (the pinned digest)`;
        const runAgain = `once it is approved, run the template again with approval ticket ${id}`;
        const waitMinutes = input.approvalWaitMinutes ?? 60;
        if (!options.approvals || waitMinutes === 0) {
          throw new Error(`${opened}; ${runAgain}.`);
        }
        ctx.logger.info(
          `${opened}: ${asked.body.approvalTicket.url}. Waiting up to ${waitMinutes} min for its decision.`,
        );
        const status = await waitForDecision({
          approvals: options.approvals,
          credentials,
          ticketId: id,
          waitMs: waitMinutes * 60_000,
          pollMs: options.approvalPollMs ?? 10_000,
          signal: ctx.signal,
        });
        if (status === 'pending') {
          throw new Error(
            `No decision on approval ticket #${id} within ${waitMinutes} min, nothing was deployed; ${runAgain}.`,
          );
        }
        if (status !== 'approved') {
          throw new Error(
            `Approval ticket #${id} is ${status}: nothing was deployed.`,
          );
        }
        ctx.logger.info(`Approval ticket #${id} was approved; deploying.`);
        answer = await call('/deployments/image', {
          ...body,
          approvalTicket: id,
        });
      }
      if (answer.status !== 200) {
        throw new Error(`The deployment was refused: ${messageOf(answer)}`);
      }
      const done = answer.body;
      ctx.logger.info(
        `${done.container}: ${done.previousImage} → ${done.image}${
          done.tag ? ` (tag ${done.tag})` : ''
        }`,
      );
      ctx.output('image', done.image);
      ctx.output('digest', done.digest);
      if (watchSeconds === 0) {
        ctx.output('rollout', 'unwatched');
        ctx.logger.info('The rollout was not watched (watchSeconds 0)');
        return;
      }
      const rollout = await follow();
      ctx.output('rollout', rollout.state);
      if (rollout.state === 'complete') {
        ctx.logger.info(rollout.message);
        return;
      }
      ctx.logger.error(`Rollout ${rollout.state}: ${rollout.message}`);
      if (input.rollbackOnFailure && rollout.state === 'failed') {
        const back = await call('/deployments/rollback', {
          ...workload,
          watchSeconds: 0,
        });
        if (back.status === 200) {
          ctx.logger.info(
            `Rolled back from revision ${back.body.fromRevision} to ${back.body.toRevision}`,
          );
          const after = await follow();
          const line = `Rollback rollout ${after.state}: ${after.message}`;
          if (after.state === 'complete') ctx.logger.info(line);
          else ctx.logger.error(line);
        } else {
          ctx.logger.error(`The rollback was refused: ${messageOf(back)}`);
        }
      }
      throw new Error(
        `The rollout of ${done.image} did not complete (${rollout.state}): ${rollout.message}`,
      );
    },
  });
}
