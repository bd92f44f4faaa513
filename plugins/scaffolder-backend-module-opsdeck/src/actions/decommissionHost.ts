import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { CmdbActionClient } from './cmdbClient';

/** Id of the action that decommissions a host. */
export const DECOMMISSION_HOST_ACTION_ID = 'opsdeck:cmdb:decommission-host';

/** `resource:default/db-1`, `db-1` → the host's name and entity ref. */
export function parseHostRef(value: string): {
  name: string;
  entityRef: string;
} {
  const trimmed = value.trim();
  if (!trimmed) throw new InputError('No host given');
  let ref;
  try {
    ref = parseEntityRef(trimmed, {
      defaultKind: 'resource',
      defaultNamespace: 'default',
    });
  } catch (error) {
    throw new InputError(`"${trimmed}" is not a host name or entity ref`);
  }
  if (ref.kind.toLocaleLowerCase('en-US') !== 'resource') {
    throw new InputError(
      `"${trimmed}" is a ${ref.kind}, not a host (kind Resource)`,
    );
  }
  return {
    name: ref.name,
    entityRef: stringifyEntityRef({ ...ref, kind: 'resource' }),
  };
}

/**
 * `opsdeck:cmdb:decommission-host`: removes a host from the CMDB and the
 * catalog, as the user who runs the template.
 */
export function createDecommissionHostAction(options: {
  discovery: DiscoveryService;
  auth: AuthService;
}) {
  const client = new CmdbActionClient(options.discovery, options.auth);

  return createTemplateAction({
    id: DECOMMISSION_HOST_ACTION_ID,
    description:
      'Decommissions a host: removes it from the opsdeck CMDB and the catalog (as the user running the template).',
    supportsDryRun: true,
    examples: [
      {
        description: 'Decommission a host picked in the form',
        example: [
          'steps:',
          '  - id: decommission',
          '    action: opsdeck:cmdb:decommission-host',
          '    input:',
          '      host: ${{ parameters.host }}',
          '      reason: ${{ parameters.reason }}',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        host: z =>
          z
            .string()
            .min(1)
            .describe('Entity ref (resource:default/db-1) or name of the host'),
        reason: z =>
          z.string().optional().describe('Why the host is decommissioned'),
      },
      output: {
        name: z => z.string().describe('Name of the decommissioned host'),
        entityRef: z => z.string().describe('Its former entity ref'),
      },
    },
    async handler(ctx) {
      const { name, entityRef } = parseHostRef(ctx.input.host);
      const reason = ctx.input.reason?.trim();
      ctx.logger.info(
        `Decommissioning ${entityRef}${reason ? ` (reason: ${reason})` : ''}`,
      );
      if (ctx.isDryRun) {
        ctx.logger.info(`${name}: would be decommissioned (dry run)`);
      } else {
        await client.decommissionHost(
          await ctx.getInitiatorCredentials(),
          name,
          ctx.signal,
        );
        ctx.logger.info(`${name}: decommissioned and removed from the catalog`);
      }
      ctx.output('name', name);
      ctx.output('entityRef', entityRef);
    },
  });
}
