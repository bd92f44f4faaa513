import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { coded } from '@opsdeck/plugin-opsdeck-node';
import type { HostTarget } from '@opsdeck/plugin-cmdb-common';
import type {
  ConfigSet,
  ConfigSetInput,
  ConfigVariables,
  ConfigVersion,
  HostDrift,
  HostPreview,
  Release,
  ReleaseAction,
} from '@opsdeck/plugin-config-common';
import { unifiedDiff } from '../render/diff';
import { checkSyntax, compileTemplate, renderContext } from '../render/render';
import { HostAgent, sha256 } from '../release/HostAgent';
import type { SshTargets } from '../release/Releaser';
import type { ApprovalAsk } from '@opsdeck/plugin-tickets-node';
import { checkVariables, maskLive } from '../render/secrets';
import { maskMarked } from '../render/secretMarks';
import { takeSecrets, type SecretsByHost } from './configSecrets';
import { usesFacts, type FactsByHost } from './hostFacts';
import { checkSetInput } from './checkSetInput';
import { preflight } from './preflight';
import { prodGate, ran, type Gated, type GateOutcome } from './prodApproval';
import { pauseDigest, pauseOf, type PauseAsk } from './pauses';

export type { Gated } from './prodApproval';

export type { Caller, ConfigServiceOptions } from './serviceTypes';
import type { Caller, ConfigServiceOptions } from './serviceTypes';

export { checkSetInput } from './checkSetInput';
export { onHosts } from './onHosts';
import { onHosts } from './onHosts';
import { ReleaseBatches } from './ReleaseBatches';
import { LiveFiles } from './LiveFiles';
import { ReloadStep } from './ReloadStep';

/** Refuses prod hosts to a caller without opsdeck.config.push.prod. */
function checkProd(
  hosts: HostTarget[],
  caller: Caller,
  what = 'Pushing to',
): void {
  const prod = hosts.filter(h => h.environment === 'prod');
  if (prod.length > 0 && !caller.mayPushProd) {
    const names = [...new Set(prod.map(h => h.name))].join(', ');
    throw coded(
      new NotAllowedError(
        `${what} prod hosts (${names}) needs opsdeck.config.push.prod`,
      ),
      'config-prod-refused',
      { hosts: names, permission: 'opsdeck.config.push.prod' },
    );
  }
}

/**
 * The config plugin's operations: sets, immutable versions, diffs,
 * per-host previews against the live files, releases, rollback, drift and
 * adopting a live file. The router checks the permissions; this checks the
 * data and the prod rule.
 */
export class ConfigService {
  private readonly batches: ReleaseBatches;
  private readonly live: LiveFiles;
  private readonly reloads: ReloadStep;

  constructor(private readonly options: ConfigServiceOptions) {
    this.batches = new ReleaseBatches(this, options);
    this.live = new LiveFiles(this, options);
    this.reloads = new ReloadStep(this, options);
  }

  get store() {
    return this.options.store;
  }

  async getSet(id: number): Promise<ConfigSet> {
    const set = await this.options.store.getSet(id);
    if (!set) throw new NotFoundError(`No config set ${id}`);
    return set;
  }

  async getVersion(setId: number, version: number): Promise<ConfigVersion> {
    const v = await this.options.store.getVersion(setId, version);
    if (!v)
      throw new NotFoundError(`Config set ${setId} has no version ${version}`);
    return v;
  }

  /** A set on a prod host (what it runs there runs at an admin's push) needs config.push.prod. */
  async createSet(input: ConfigSetInput, caller: Caller): Promise<ConfigSet> {
    checkSetInput(input);
    await this.checkProdDefinition([input.selector], caller);
    return this.options.store.createSet(input, caller.ref);
  }

  /**
   * Changing what runs or lands on the hosts of a set that selects a prod
   * host, before or after the change, needs config.push.prod.
   */
  async updateSet(
    id: number,
    input: ConfigSetInput,
    caller: Caller,
  ): Promise<ConfigSet> {
    const set = await this.getSet(id);
    checkSetInput(input);
    if (onHosts(set) !== onHosts(input)) {
      await this.checkProdDefinition([set.selector, input.selector], caller);
    }
    return this.options.store.updateSet(id, input);
  }

  /** Every host the selectors pick, as the plugin sees them, through checkProd. */
  private async checkProdDefinition(
    selectors: ConfigSet['selector'][],
    caller: Caller,
  ): Promise<void> {
    if (caller.mayPushProd) return;
    const credentials =
      (await this.options.serviceCredentials?.()) ?? caller.credentials;
    for (const selector of selectors) {
      checkProd(
        await this.options.hosts.resolveHosts(selector, { credentials }),
        caller,
        'Defining what runs on',
      );
    }
  }

  /** Saves a new version; the template must compile. */
  async saveVersion(
    setId: number,
    input: { template: string; variables: ConfigVariables; message: string },
    caller: Caller,
  ): Promise<ConfigVersion> {
    await this.getSet(setId);
    compileTemplate(input.template);
    checkVariables(input.variables);
    return this.options.store.addVersion({
      setId,
      template: input.template,
      variables: input.variables,
      message: input.message,
      author: caller.ref,
    });
  }

  /** Unified diffs of the template and of the variables between two versions. */
  async diff(setId: number, from: number, to: number) {
    const a = await this.getVersion(setId, from);
    const b = await this.getVersion(setId, to);
    const vars = (v: ConfigVersion) =>
      `${JSON.stringify(v.variables, null, 2)}\n`;
    return {
      template: unifiedDiff(a.template, b.template, `v${from}`, `v${to}`),
      variables: unifiedDiff(
        vars(a),
        vars(b),
        `v${from}/variables`,
        `v${to}/variables`,
      ),
    };
  }

  /** The hosts the set selects now, as the caller sees them (or the named ones of them). */
  async hostsOf(set: ConfigSet, caller: Caller, names?: string[]) {
    const all = await this.options.hosts.resolveHosts(set.selector, {
      credentials: caller.credentials,
    });
    if (!names || names.length === 0) return all;
    const wanted = new Set(names.map(n => n.toLocaleLowerCase('en-US')));
    const picked = all.filter(
      h =>
        wanted.has(h.entityRef.toLocaleLowerCase('en-US')) ||
        wanted.has(h.name.toLocaleLowerCase('en-US')),
    );
    if (picked.length !== wanted.size) {
      throw new InputError(
        'Some of the hosts asked for are not selected by this set (or not visible to you)',
      );
    }
    return picked;
  }

  /** The hosts' facts when the version's template or the set's health check uses them. */
  async factsFor(
    set: ConfigSet,
    version: ConfigVersion,
    hosts: HostTarget[],
    caller: Caller,
  ): Promise<FactsByHost> {
    const check = set.healthCheck;
    const source = this.options.facts;
    if (
      !source ||
      !usesFacts(
        version.template,
        check?.type === 'http' ? check.url : undefined,
        check?.type === 'http' ? check.expectBody : undefined,
        check?.type === 'tcp' ? check.address : undefined,
        check?.type === 'script' ? check.command : undefined,
      )
    ) {
      return new Map();
    }
    return source.factsOf(hosts, { credentials: caller.credentials });
  }

  private agent(target: Awaited<ReturnType<ReturnType<SshTargets>>>) {
    return new HostAgent(
      this.options.ssh,
      target,
      this.options.commandTimeoutMs ?? 60_000,
    );
  }

  /** Each selected host's rendering of a version, beside its live file. */
  async preview(
    setId: number,
    version: number,
    caller: Caller,
  ): Promise<HostPreview[]> {
    const set = await this.getSet(setId);
    const v = await this.getVersion(setId, version);
    const render = compileTemplate(v.template);
    const targetOf = this.options.sshTargets(caller.ref);
    const hosts = await this.hostsOf(set, caller);
    const facts = await this.factsFor(set, v, hosts, caller);
    const baselines = new Map(
      (await this.options.store.hostStates(setId)).map(s => [s.host, s]),
    );
    return Promise.all(
      hosts.map(async (host): Promise<HostPreview> => {
        const out: HostPreview = { host: host.entityRef, diff: '' };
        try {
          out.rendered = render(
            renderContext(v.variables, host, facts.get(host.entityRef)),
          );
          checkSyntax(set.kind, out.rendered);
        } catch (e) {
          out.renderError = (e as Error).message;
        }
        try {
          const live = await this.agent(await targetOf(host)).readLive(
            set.targetPath,
          );
          // each secret pushed there (the baseline's marks) is masked
          // wherever it stands; vault references render as the mask: so do
          // their lines of the live file
          const base = baselines.get(host.entityRef);
          out.live =
            live === undefined
              ? undefined
              : maskLive(maskMarked(live, base?.secretMarks ?? []), [
                  out.rendered,
                  base?.liveContent,
                ]);
        } catch (e) {
          out.liveError = (e as Error).message;
        }
        if (out.rendered !== undefined) {
          out.diff = unifiedDiff(
            out.live ?? '',
            out.rendered,
            `${host.name}:${set.targetPath} (live)`,
            `${host.name}:${set.targetPath} (v${version})`,
          );
        }
        return out;
      }),
    );
  }

  /** {@link ConfigService.release} for callers that never ask for a ticket. */
  async push(...args: Parameters<ConfigService['release']>) {
    return ran(await this.release(...args));
  }

  /** {@link ConfigService.rollbackGated}, never asking for a ticket. */
  async rollback(...args: Parameters<ConfigService['rollbackGated']>) {
    return ran(await this.rollbackGated(...args));
  }

  /** {@link ConfigService.adoptGated}, never asking for a ticket. */
  async adopt(...args: Parameters<ConfigService['adoptGated']>) {
    return ran(await this.adoptGated(...args)).version;
  }

  /** Starts a release of `version` to the set's hosts (or the named ones of them). */
  async release(
    setId: number,
    input: {
      version: number;
      hosts?: string[];
      batchSize?: number;
      /** false: swap the new files in without reloading (a later reload step does). */
      reload?: boolean;
    } & PauseAsk &
      ApprovalAsk,
    caller: Caller,
    action: ReleaseAction = 'push',
    /**
     * A rollback's push: the set and hosts its gate checked (and its
     * approval covers), with the vault references taken out for them. The
     * push goes to exactly these hosts: the selector is not resolved again,
     * or a host that became prod in between would be pushed to unchecked.
     */
    checked?: {
      set: ConfigSet;
      hosts: HostTarget[];
      secrets: SecretsByHost;
      facts: FactsByHost;
      approvalTicket?: number;
    },
  ): Promise<Gated<{ release: Release; done: Promise<void> }>> {
    const set = checked?.set ?? (await this.getSet(setId));
    const version = await this.getVersion(setId, input.version);
    compileTemplate(version.template);
    const hosts =
      checked?.hosts ?? (await this.hostsOf(set, caller, input.hosts));
    if (hosts.length === 0) {
      throw coded(
        new InputError('The set selects no host you can see'),
        'config-no-hosts',
      );
    }
    await this.assertIdle(setId);
    const max = this.options.maxBatchSize ?? 20;
    const batchSize = Math.max(
      1,
      Math.min(input.batchSize ?? hosts.length, max),
    );
    const pause = pauseOf(input);
    const reload = input.reload !== false;
    // what may still refuse the push, before a ticket is claimed for it
    const prepare = (claiming: boolean) =>
      this.prepare(set, version, hosts, caller, claiming);
    const gate: GateOutcome<Awaited<ReturnType<typeof prepare>>> = checked
      ? { run: true, prepared: checked }
      : await prodGate({
          approvals: this.options.approvals,
          caller,
          hosts,
          set,
          ask: input,
          change: {
            action: 'push',
            setId,
            version: version.version,
            hosts: hosts.map(h => h.entityRef).sort(),
            batchSize,
            ...pauseDigest(pause),
            // absent for a push that reloads (tickets asked before stay valid)
            ...(reload ? {} : { reload: false }),
            definition: sha256(onHosts(set)),
          },
          summary: `push ${set.name} v${version.version} to ${
            hosts.length
          } host(s): ${hosts.map(h => h.name).join(', ')}`,
          prepare,
        });
    if (!gate.run) return { requested: gate.requested };
    const { facts, secrets } = gate.prepared;
    const release = await this.options.store.createRelease({
      setId,
      version: version.version,
      action,
      batchSize,
      createdBy: caller.ref,
      hosts: hosts.map(h => h.entityRef),
      ...pause,
      definitionSha256: sha256(onHosts(set)),
      approvalTicket: checked?.approvalTicket ?? gate.approval?.ticketId,
      reload,
    });
    const done = this.batches.drive(
      { release, set, version, hosts, facts, secrets },
      caller,
    );
    return { release, done, approval: gate.approval };
  }

  /**
   * What may still refuse a push before anything is written: the hosts'
   * facts (a CMDB failure refuses it), their vault references (taken out
   * now, for the person pushing) and, when an approval ticket is about to be
   * claimed, every host's rendering and SSH login ({@link preflight}): a
   * ticket is spent only by a release that can reach a host.
   */
  async prepare(
    set: ConfigSet,
    version: ConfigVersion,
    hosts: HostTarget[],
    caller: Caller,
    claiming: boolean,
  ): Promise<{ facts: FactsByHost; secrets: SecretsByHost }> {
    const facts = await this.factsFor(set, version, hosts, caller);
    const secrets = await takeSecrets(
      this.options.vault,
      set,
      version,
      hosts,
      caller.ref,
    );
    if (claiming) {
      await preflight({
        set,
        version,
        hosts,
        facts,
        secrets,
        sshTargets: this.options.sshTargets,
        actor: caller.ref,
      });
    }
    return { facts, secrets };
  }

  /** Goes on with a paused release (re-checked as a push is), as `caller`. */
  continueRelease(id: number, caller: Caller) {
    return this.batches.continue(id, caller);
  }

  /** Reloads a release pushed without reload (see {@link ReloadStep}), as `caller`. */
  reloadRelease(id: number, ask: ApprovalAsk, caller: Caller) {
    return this.reloads.reload(id, ask, caller);
  }

  /** Aborts a running or paused release (see {@link ReleaseBatches.abort}). */
  abortRelease(id: number, caller: Caller) {
    return this.batches.abort(id, caller);
  }

  /** After a start: timed pauses go on when they end (see {@link ReleaseBatches.resumeTimed}). */
  resumeTimedPauses() {
    const credentials = this.options.serviceCredentials;
    if (!credentials) return Promise.resolve();
    return this.batches.resumeTimed(credentials);
  }

  /** Shutdown: no timed pause goes on from this backend any more. */
  stop() {
    this.batches.stop();
  }

  private async assertIdle(setId: number): Promise<void> {
    const running = (await this.options.store.listReleases(setId, 5)).find(r =>
      ['running', 'paused', 'aborting', 'swapped', 'reloading'].includes(
        r.status,
      ),
    );
    if (running) {
      const hint: Record<string, string> = {
        paused: ': continue or abort it first',
        swapped: ': its hosts wait for a reload; reload it first',
      };
      throw coded(
        new ConflictError(
          `Release ${running.id} of this set is still ${running.status}${
            hint[running.status] ?? ''
          }`,
        ),
        'config-release-busy',
        { release: running.id, status: running.status },
      );
    }
  }

  /**
   * Rolls back to `toVersion`: a NEW version with that version's template
   * and variables (history is never rewritten), then pushed.
   */
  async rollbackGated(
    setId: number,
    input: {
      toVersion: number;
      hosts?: string[];
      batchSize?: number;
      message?: string;
    } & PauseAsk &
      ApprovalAsk,
    caller: Caller,
  ): Promise<
    Gated<{ version: ConfigVersion; release: Release; done: Promise<void> }>
  > {
    const old = await this.getVersion(setId, input.toVersion);
    const set = await this.getSet(setId);
    const hosts = await this.hostsOf(set, caller, input.hosts);
    await this.assertIdle(setId);
    // checked first so that a refused rollback leaves no rollback version behind
    const gate = await prodGate({
      approvals: this.options.approvals,
      caller,
      hosts,
      set,
      ask: input,
      change: {
        action: 'rollback',
        setId,
        toVersion: old.version,
        hosts: hosts.map(h => h.entityRef).sort(),
        batchSize: input.batchSize ?? null,
        ...pauseDigest(pauseOf(input)),
        message: input.message ?? null,
        definition: sha256(onHosts(set)),
      },
      summary: `roll ${set.name} back to v${old.version} on ${
        hosts.length
      } host(s): ${hosts.map(h => h.name).join(', ')}`,
      // so are the facts and vault references (taken out once, handed to
      // the push) and, with a ticket, every host's rendering and SSH login:
      // a refusal leaves the approval unused
      prepare: claiming => this.prepare(set, old, hosts, caller, claiming),
    });
    if (!gate.run) return { requested: gate.requested };
    const { secrets, facts } = gate.prepared;
    const version = await this.options.store.addVersion({
      setId,
      template: old.template,
      variables: old.variables,
      message: input.message ?? `Rollback to v${old.version}`,
      author: caller.ref,
      rolledBackFrom: old.version,
    });
    const pushed = await this.release(
      setId,
      {
        version: version.version,
        hosts: input.hosts,
        batchSize: input.batchSize,
        pauseSeconds: input.pauseSeconds,
        confirmFirstBatch: input.confirmFirstBatch,
      },
      caller,
      'rollback',
      { set, hosts, secrets, facts, approvalTicket: gate.approval?.ticketId },
    );
    if (pushed.requested) throw new Error('unreachable: gated above');
    return { version, ...pushed, approval: gate.approval };
  }

  /** Hashes each pushed host's live file against what the last push left there. */
  drift(setId: number, caller: Caller): Promise<HostDrift[]> {
    return this.live.drift(setId, caller);
  }

  /** {@link LiveFiles.adoptGated}. */
  adoptGated(...args: Parameters<LiveFiles['adoptGated']>) {
    return this.live.adoptGated(...args);
  }
}
