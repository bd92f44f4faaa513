import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { onBehalfOfHeaders } from '@opsdeck/plugin-opsdeck-node';
import type { TicketsWorkflowApi } from './approvalAction';
import { resolveResources } from './catalogResources';
import { runStepOnce, stepIdempotencyKey } from './fulfilmentSteps';

/** Id of the action that grants time-limited server access. */
export const SERVER_ACCESS_ACTION_ID = 'opsdeck:tickets:server-access';

/** The fulfilment step of one host's grant (crash point `tickets.server-access.grant`). */
const GRANT_STEP = 'server-access.grant';

/**
 * POSTs one grant to the bastion; with the same idempotency key a second
 * time, the bastion answers with the grant it made the first time.
 */
async function createGrant(
  baseUrl: string,
  token: string,
  requester: string,
  grant: { selector: { host: string }; idempotencyKey: string } & Record<
    string,
    unknown
  >,
): Promise<{ grantId: string }> {
  const response = await fetch(`${baseUrl}/grants`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${token}`,
      // audited as the requester, via plugin:scaffolder
      ...onBehalfOfHeaders(requester),
    },
    body: JSON.stringify(grant),
  });
  if (response.status === 404) {
    throw new Error(
      'The bastion API (/api/bastion/grants) is not available; the grant is recorded on the ticket but not applied',
    );
  }
  if (!response.ok) {
    throw new Error(
      `The bastion refused the grant for ${grant.selector.host}: HTTP ${
        response.status
      } ${await response.text()}`,
    );
  }
  const body = (await response.json()) as { id: string };
  return { grantId: body.id };
}

/**
 * `opsdeck:tickets:server-access`: after the approval, asks the bastion
 * (`POST /api/bastion/grants`) for a time-limited access grant. The grant is
 * recorded on the ticket first; when the bastion is not there the step and
 * the ticket fail with that reason (never a pretended success).
 */
export function createServerAccessAction(options: {
  tickets: TicketsWorkflowApi;
  catalog: CatalogService;
  discovery: DiscoveryService;
  auth: AuthService;
}) {
  return createTemplateAction({
    id: SERVER_ACCESS_ACTION_ID,
    description:
      'Creates a time-limited bastion access grant to a host for the requester and reports it on the ticket.',
    schema: {
      input: {
        ticketId: z => z.number().int().min(1).describe('The approved ticket'),
        host: z =>
          z
            .string()
            .min(1)
            .optional()
            .describe('Entity ref or name of one host'),
        hosts: z =>
          z
            .array(z.string().min(1))
            .optional()
            .describe('Entity refs of the hosts (OpsdeckHostPicker)'),
        hours: z =>
          z
            .number()
            .positive()
            .max(24 * 30)
            .describe('How long the grant lasts'),
        loginUser: z =>
          z
            .string()
            .optional()
            .describe('Login user on the host (default opsdeck)'),
      },
      output: {
        expiresAt: z => z.string().describe('When the grant ends'),
      },
    },
    async handler(ctx) {
      const requester = ctx.user?.ref;
      if (!requester) throw new InputError('The task has no requesting user');
      const refs = [
        ...(ctx.input.hosts ?? []),
        ...(ctx.input.host ? [ctx.input.host] : []),
      ];
      const hosts = await resolveResources(
        options.catalog,
        refs,
        'host',
        await ctx.getInitiatorCredentials(),
      );
      const names = hosts.map(h => h.entity.metadata.name);
      const { ticketId } = ctx.input;
      const expiresAt = new Date(
        Date.now() + ctx.input.hours * 3_600_000,
      ).toISOString();
      const loginUser = ctx.input.loginUser || 'opsdeck';
      // One bastion grant per host: a selector names a single host.
      let grants = names.map(name => ({
        subject: requester,
        selector: { host: name },
        loginUser,
        expiresAt,
        reason: `ticket ${ticketId}`,
      }));
      const ticket = await options.tickets.poll(ticketId);
      if (ticket.state === 'approved') {
        await options.tickets.setState(
          ticketId,
          'fulfilling',
          `Granting access to ${names.join(', ')} until ${expiresAt}`,
          { grants },
        );
      } else if (ticket.state === 'fulfilling') {
        // a replay keeps the grants planned when fulfilment began (same expiry)
        const planned = ticket.result?.grants as typeof grants | undefined;
        if (planned?.length === grants.length) grants = planned;
      } else {
        throw new Error(`Ticket ${ticketId} is ${ticket.state}, not approved`);
      }
      try {
        const [baseUrl, { token }] = await Promise.all([
          options.discovery.getBaseUrl('bastion'),
          options.auth.getPluginRequestToken({
            onBehalfOf: await options.auth.getOwnServiceCredentials(),
            targetPluginId: 'bastion',
          }),
        ]);
        const created: string[] = [];
        for (const grant of grants) {
          const host = grant.selector.host;
          // one grant per ticket and host, also when this step is replayed
          const { result } = await runStepOnce(
            options.tickets,
            ticketId,
            GRANT_STEP,
            host,
            () =>
              createGrant(baseUrl, token, requester, {
                ...grant,
                idempotencyKey: stepIdempotencyKey(ticketId, GRANT_STEP, host),
              }),
          );
          created.push(result.grantId);
        }
        const until = grants[0]?.expiresAt ?? expiresAt;
        await options.tickets.setState(
          ticketId,
          'done',
          `${requester} may log in to ${names.join(
            ', ',
          )} as ${loginUser} through the bastion until ${until}`,
          { grants, bastion: created },
        );
        ctx.output('expiresAt', until);
      } catch (error) {
        await options.tickets
          .setState(ticketId, 'failed', `${error}`, { grants })
          .catch(() => undefined);
        throw error;
      }
    },
  });
}
