import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { coded } from '@opsdeck/plugin-opsdeck-node';
import type { Release } from '@opsdeck/plugin-config-common';
import type { ApprovalAsk } from '@opsdeck/plugin-tickets-node';
import { sha256 } from '../release/HostAgent';
import type { ConfigService } from './ConfigService';
import { onHosts } from './onHosts';
import { prodGate, type Gated } from './prodApproval';
import type { Caller, ConfigServiceOptions } from './serviceTypes';

/**
 * The reload step of a release pushed without reload (`swapped`): checked
 * as a push is (the set's on-host definition unchanged since the push, the
 * hosts resolved now with the caller's sight, prod hosts through the same
 * gate as a push: config.push.prod or an approval ticket for exactly this
 * reload, claimed once), then claimed in one statement (`swapped →
 * reloading`: of two reloads one runs, the other is refused) and run in
 * the background by the releaser.
 */
export class ReloadStep {
  constructor(
    private readonly service: ConfigService,
    private readonly options: ConfigServiceOptions,
  ) {}

  private refuseMoved(release: Pick<Release, 'id' | 'status'>): never {
    throw coded(
      new ConflictError(
        `Release ${release.id} is ${release.status}: it does not wait for a reload`,
      ),
      'config-release-not-swapped',
      { release: release.id, status: release.status },
    );
  }

  async reload(
    id: number,
    ask: ApprovalAsk,
    caller: Caller,
  ): Promise<Gated<{ release: Release; done: Promise<void> }>> {
    const { store, releaser } = this.options;
    const release = await store.getRelease(id);
    if (!release) throw new NotFoundError(`No release ${id}`);
    if (release.status !== 'swapped') this.refuseMoved(release);
    const set = await this.service.getSet(release.setId);
    const checks = await store.releaseChecks(id);
    const definition = sha256(onHosts(set));
    if (checks?.definitionSha256 !== definition) {
      throw coded(
        new ConflictError(
          `The hosts, file or commands of ${set.name} changed since release ${id} was pushed: push again`,
        ),
        'config-release-moved',
        { release: id },
      );
    }
    const version = await this.service.getVersion(set.id, release.version);
    const waiting = new Set(
      release.hosts.filter(h => h.state === 'swapped').map(h => h.host),
    );
    // resolved now, as the catalog is now, with the reloading person's sight
    const hosts = (await this.service.hostsOf(set, caller)).filter(h =>
      waiting.has(h.entityRef),
    );
    if (hosts.length === 0) {
      // never claimed by someone who can reach none of its hosts
      throw coded(
        new InputError(
          `None of the hosts waiting for a reload in release ${id} is selected by the set and visible to you`,
        ),
        'config-no-hosts',
      );
    }
    const gate = await prodGate({
      approvals: this.options.approvals,
      caller,
      hosts,
      set,
      ask,
      what: 'Reloading',
      change: {
        action: 'reload',
        releaseId: id,
        setId: set.id,
        version: version.version,
        hosts: hosts.map(h => h.entityRef).sort(),
        definition,
      },
      summary: `reload ${set.name} v${version.version} (release ${id}) on ${
        hosts.length
      } host(s): ${hosts.map(h => h.name).join(', ')}`,
      // facts and vault references (the health check may use them), taken
      // out for the person reloading before a ticket is claimed
      prepare: () => this.service.prepare(set, version, hosts, caller, false),
    });
    if (!gate.run) return { requested: gate.requested };
    if (!(await store.reloads.claim(id, caller.ref))) {
      this.refuseMoved((await store.getRelease(id)) ?? release);
    }
    const { facts, secrets } = gate.prepared;
    const done = releaser.reload(
      release,
      set,
      version,
      hosts,
      facts,
      secrets,
      caller.ref,
    );
    return {
      release: (await store.getRelease(id))!,
      done,
      approval: gate.approval,
    };
  }
}
