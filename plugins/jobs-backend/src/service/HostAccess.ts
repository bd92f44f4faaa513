import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  principalRef,
  type UserPermissionsService,
} from '@opsdeck/plugin-opsdeck-node';
import {
  jobsRunPermission,
  jobsRunProdPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { ScheduleApproval } from '../database/JobStore';
import { HostSelector, RunHost, TargetHost } from '../model';
import type { HostsService } from '@opsdeck/plugin-cmdb-node';

/** Who made the request, as stored in runs and jobs. */
export const principalName = principalRef;

type Decide = (
  requests: { permission: typeof jobsRunPermission; resourceRef: string }[],
) => Promise<{ result: AuthorizeResult }[]>;

/** Host names for a message: the first ten, then how many more. */
function nameList(hosts: TargetHost[]): string {
  return `${hosts
    .slice(0, 10)
    .map(h => h.name)
    .join(', ')}${hosts.length > 10 ? ` and ${hosts.length - 10} more` : ''}`;
}

/**
 * Which hosts a person may run jobs on: `opsdeck.jobs.run` on every host
 * entity, and on hosts of a production environment also
 * `opsdeck.jobs.run.prod`. The same rule serves requests (the caller's
 * credentials) and schedule ticks (the schedule's owner, through the
 * user-permissions service, since nobody is making a request then).
 */
export class HostAccess {
  constructor(
    private readonly deps: {
      hosts: HostsService;
      permissions: PermissionsService;
      userPermissions?: UserPermissionsService;
      /** Environments whose hosts need the prod permission (default prod). */
      prodEnvironments?: string[];
    },
  ) {}

  private isProd(host: TargetHost): boolean {
    return (this.deps.prodEnvironments ?? ['prod']).includes(
      host.environment ?? '',
    );
  }

  /**
   * Hosts matching the selector, from the CMDB's host index as the catalog's
   * read permission lets the caller see them (cmdb-node's host service; a
   * service principal is resolved as the jobs plugin itself).
   */
  async findHosts(
    credentials: BackstageCredentials,
    selector: HostSelector,
  ): Promise<TargetHost[]> {
    return this.deps.hosts.resolveHosts(selector, { credentials });
  }

  /** The hosts of `hosts` that `decide` refuses (run, and prod for prod hosts). */
  private async denied(
    hosts: TargetHost[],
    decide: Decide,
  ): Promise<{ hosts: TargetHost[]; prod: boolean }> {
    if (hosts.length === 0) return { hosts: [], prod: false };
    const prodHosts = hosts.filter(h => this.isProd(h));
    const decisions = await decide([
      ...hosts.map(h => ({
        permission: jobsRunPermission,
        resourceRef: h.entityRef,
      })),
      ...prodHosts.map(h => ({
        permission: jobsRunProdPermission,
        resourceRef: h.entityRef,
      })),
    ]);
    const refused = new Set<TargetHost>();
    hosts.forEach((h, i) => {
      if (decisions[i].result !== AuthorizeResult.ALLOW) refused.add(h);
    });
    let prod = false;
    prodHosts.forEach((h, i) => {
      if (decisions[hosts.length + i].result !== AuthorizeResult.ALLOW) {
        refused.add(h);
        prod = true;
      }
    });
    return { hosts: hosts.filter(h => refused.has(h)), prod };
  }

  /** 403 naming the hosts the caller may not run on. */
  async authorizeHosts(
    credentials: BackstageCredentials,
    hosts: TargetHost[],
  ): Promise<void> {
    const denied = await this.denied(hosts, requests =>
      this.deps.permissions.authorize(requests, { credentials }),
    );
    if (denied.hosts.length > 0) {
      throw new NotAllowedError(
        `You are not allowed to run jobs on ${nameList(denied.hosts)}${
          denied.prod ? ' (production hosts need opsdeck.jobs.run.prod)' : ''
        }`,
      );
    }
  }

  /**
   * 403 unless the caller may run on every host of a run (cancel): the
   * stored hosts, with their environment as the catalog says now.
   */
  async authorizeRunHosts(
    credentials: BackstageCredentials,
    runHosts: RunHost[],
  ): Promise<void> {
    if (runHosts.length === 0) return;
    const current = await this.findHosts(credentials, {
      names: runHosts.map(h => h.entityRef),
    });
    await this.authorizeHosts(
      credentials,
      runHosts.map(h => {
        const now = current.find(c => c.entityRef === h.entityRef);
        return {
          ...h,
          name: h.host,
          environment: now?.environment,
          tags: now?.tags ?? [],
        };
      }),
    );
  }

  /**
   * The hosts the selector resolves to for this user, each authorised
   * (403 naming the denied ones): what a schedule may run on.
   */
  async approveHosts(
    credentials: BackstageCredentials,
    selector: HostSelector,
  ): Promise<ScheduleApproval> {
    const hosts = await this.findHosts(credentials, selector);
    await this.authorizeHosts(credentials, hosts);
    return {
      hosts: hosts.map(h => h.entityRef),
      by: principalName(credentials),
    };
  }

  /**
   * Why `owner` (a user entity ref) may no longer run on `hosts`, or
   * undefined when they still may. Asked at every schedule tick.
   */
  async ownerRefusal(
    owner: string,
    hosts: TargetHost[],
  ): Promise<string | undefined> {
    const userPermissions = this.deps.userPermissions;
    if (!userPermissions || !owner.startsWith('user:')) return undefined;
    const denied = await this.denied(hosts, requests =>
      userPermissions.authorizeUser(owner, requests),
    );
    if (denied.hosts.length === 0) return undefined;
    return `${owner} may no longer run jobs on ${nameList(denied.hosts)}${
      denied.prod ? ' (production hosts need opsdeck.jobs.run.prod)' : ''
    }`;
  }
}
