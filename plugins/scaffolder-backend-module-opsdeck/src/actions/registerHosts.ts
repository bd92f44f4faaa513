import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  CmdbActionClient,
  HostRegistration,
  normalizeResult,
} from './cmdbClient';
import { HostsInput, parseHosts } from './parseHosts';

/** Id of the action that registers hosts in the CMDB. */
export const REGISTER_HOSTS_ACTION_ID = 'opsdeck:cmdb:register-hosts';

/** Catalog entity ref of a registered host. */
export function hostEntityRef(name: string): string {
  return stringifyEntityRef({
    kind: 'Resource',
    namespace: 'default',
    name,
  });
}

/**
 * `opsdeck:cmdb:register-hosts`: registers hosts in the CMDB as the user who
 * runs the template; fails when any host could not be registered.
 */
export function createRegisterHostsAction(options: {
  discovery: DiscoveryService;
  auth: AuthService;
}) {
  const client = new CmdbActionClient(options.discovery, options.auth);

  return createTemplateAction({
    id: REGISTER_HOSTS_ACTION_ID,
    description:
      'Registers hosts in the opsdeck CMDB (as the user running the template). Fails when any host is rejected.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Register two hosts in prod',
        example: [
          'steps:',
          '  - id: register',
          '    action: opsdeck:cmdb:register-hosts',
          '    input:',
          '      hosts: |',
          '        db-1 192.0.2.5',
          '        db-2 192.0.2.6:2222',
          '      environment: prod',
          '      owner: group:default/dba',
          '      credential: ssh-prod',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        hosts: z =>
          z
            .union([
              z.string(),
              z.array(
                z.union([
                  z.string(),
                  z.object({
                    name: z.string().optional(),
                    address: z.string(),
                    port: z.number().int().min(1).max(65535).optional(),
                    tags: z.array(z.string()).optional(),
                    description: z.string().optional(),
                  }),
                ]),
              ),
            ])
            .describe(
              'One "<address>" or "<name> <address>[:port]" per line, or a list of { name, address } objects',
            ),
        environment: z =>
          z.string().min(1).describe('Environment, e.g. prod or staging'),
        owner: z => z.string().min(1).describe('Owning group (entity ref)'),
        system: z =>
          z.string().optional().describe('System the hosts belong to'),
        credential: z =>
          z
            .string()
            .optional()
            .describe('Name of the vault credential used to log in'),
        loginUser: z => z.string().optional().describe('SSH login user'),
        port: z =>
          z
            .number()
            .int()
            .min(1)
            .max(65535)
            .optional()
            .describe('SSH port for hosts that do not give one'),
        tags: z =>
          z.array(z.string()).optional().describe('Tags for every host'),
        description: z =>
          z.string().optional().describe('Description for every host'),
        checkReachability: z =>
          z
            .boolean()
            .default(true)
            .describe('Check that each host can be reached before registering'),
      },
      output: {
        names: z =>
          z.array(z.string()).describe('Names of the hosts registered'),
        entityRefs: z =>
          z.array(z.string()).describe('Catalog entity refs of those hosts'),
        links: z =>
          z
            .array(z.object({ title: z.string(), entityRef: z.string() }))
            .describe('One link per host, for the template output'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const lines = parseHosts(input.hosts as HostsInput);
      const hosts: HostRegistration[] = lines.map(line => ({
        name: line.name,
        address: line.address,
        port: line.port ?? input.port,
        loginUser: input.loginUser || undefined,
        credential: input.credential || undefined,
        environment: input.environment,
        owner: input.owner,
        system: input.system || undefined,
        tags:
          line.tags || input.tags
            ? [...new Set([...(input.tags ?? []), ...(line.tags ?? [])])]
            : undefined,
        description: line.description ?? (input.description || undefined),
      }));
      const checkReachability = input.checkReachability ?? true;

      ctx.logger.info(
        `Registering ${hosts.length} host(s) in ${input.environment} for ${
          input.owner
        }${checkReachability ? ', checking reachability' : ''}`,
      );

      if (ctx.isDryRun) {
        for (const host of hosts) {
          ctx.logger.info(
            `${host.name} (${host.address}:${
              host.port ?? 22
            }): would be registered (dry run)`,
          );
        }
        const names = hosts.map(h => h.name);
        ctx.output('names', names);
        ctx.output('entityRefs', names.map(hostEntityRef));
        ctx.output(
          'links',
          names.map(name => ({ title: name, entityRef: hostEntityRef(name) })),
        );
        return;
      }

      const results = await client.registerHosts(
        await ctx.getInitiatorCredentials(),
        { hosts, checkReachability },
        ctx.signal,
      );

      const byName = new Map(results.map(r => [r.name, normalizeResult(r)]));
      const registered: { name: string; entityRef: string }[] = [];
      const failed: string[] = [];
      for (const host of hosts) {
        const result = byName.get(host.name);
        const where = `${host.name} (${host.address}:${host.port ?? 22})`;
        if (result?.ok) {
          const entityRef = result.entityRef ?? hostEntityRef(host.name);
          registered.push({ name: host.name, entityRef });
          ctx.logger.info(`${where}: registered as ${entityRef}`);
        } else {
          const why = result?.error ?? 'missing from the CMDB response';
          failed.push(`${host.name}: ${why}`);
          ctx.logger.error(`${where}: FAILED: ${why}`);
        }
      }

      ctx.output(
        'names',
        registered.map(r => r.name),
      );
      ctx.output(
        'entityRefs',
        registered.map(r => r.entityRef),
      );
      ctx.output(
        'links',
        registered.map(r => ({ title: r.name, entityRef: r.entityRef })),
      );

      if (failed.length > 0) {
        throw new Error(
          `${failed.length} of ${
            hosts.length
          } host(s) could not be registered:\n${failed
            .map(f => `  - ${f}`)
            .join('\n')}`,
        );
      }
    },
  });
}
