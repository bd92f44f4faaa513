import { ConflictError, InputError } from '@backstage/errors';
import type { HostTarget } from '@opsdeck/plugin-cmdb-common';
import type { ConfigVersion, HostDrift } from '@opsdeck/plugin-config-common';
import { unifiedDiff } from '../render/diff';
import { verbatimTemplate } from '../render/render';
import {
  handTypedSecretLines,
  maskLive,
  maskSecrets,
  verbatimWithSecrets,
} from '../render/secrets';
import { maskDrift, maskMarked, secretMarks } from '../render/secretMarks';
import type { HostStateRow } from '../database/ConfigStore';
import { HostAgent, sha256 } from '../release/HostAgent';
import type { SshTargets } from '../release/Releaser';
import { adoptedSecrets } from './configSecrets';
import type { ConfigService } from './ConfigService';
import { onHosts } from './onHosts';
import type { ApprovalAsk } from '@opsdeck/plugin-tickets-node';
import { prodGate, type Gated } from './prodApproval';
import type { Caller, ConfigServiceOptions } from './serviceTypes';

/** The longest live file an adoption ticket shows (longer: its hash only). */
const SHOWN_LIMIT = 64 * 1024;

/**
 * A live file as drift shows it against its host's baseline: each pushed
 * secret masked (the baseline's marks; a baseline from before the marks:
 * by its lines), a hand edit of a secret's line without the value typed.
 */
function shownLive(live: string, state: HostStateRow): string {
  return state.secretMarks
    ? maskDrift(live, state.liveContent, state.secretMarks)
    : maskLive(live, [state.liveContent]);
}

/**
 * The live files of a set's hosts: drift (each pushed host's live file
 * against what the last push left there) and adopting a live file edited by
 * hand as a new version.
 */
export class LiveFiles {
  constructor(
    private readonly service: ConfigService,
    private readonly options: ConfigServiceOptions,
  ) {}

  private agent(target: Awaited<ReturnType<ReturnType<SshTargets>>>) {
    return new HostAgent(
      this.options.ssh,
      target,
      this.options.commandTimeoutMs ?? 60_000,
    );
  }

  /** Hashes each pushed host's live file against what the last push left there. */
  async drift(setId: number, caller: Caller): Promise<HostDrift[]> {
    const set = await this.service.getSet(setId);
    const states = await this.options.store.hostStates(setId);
    const hosts = await this.service.hostsOf(set, caller);
    const byRef = new Map(hosts.map(h => [h.entityRef, h]));
    const targetOf = this.options.sshTargets(caller.ref);
    return Promise.all(
      states
        .filter(s => byRef.has(s.host))
        .map(async (s): Promise<HostDrift> => {
          // the digests answered are of the files as shown (secrets
          // masked): a sha256 of bytes holding a secret is one to guess a
          // weak secret against offline; the exact bytes are compared here
          const out: HostDrift = {
            host: s.host,
            pushedVersion: s.version,
            pushedSha256: sha256(s.liveContent),
            drifted: false,
          };
          try {
            const live = await this.agent(
              await targetOf(byRef.get(s.host)!),
            ).readLive(set.targetPath);
            const shown = live === undefined ? undefined : shownLive(live, s);
            out.liveSha256 = shown === undefined ? undefined : sha256(shown);
            out.drifted = live === undefined || sha256(live) !== s.liveSha256;
            if (out.drifted) {
              // the baseline has the mask where a vault secret was pushed;
              // its marks find each pushed secret in the live file, wherever
              // it stands
              out.diff = unifiedDiff(
                s.liveContent,
                shown ?? '',
                `v${s.version} (pushed)`,
                `${set.targetPath} (live)`,
              );
            }
          } catch (e) {
            out.error = (e as Error).message;
          }
          return out;
        }),
    );
  }

  /**
   * Emergency edits by hand: the host's live file becomes a new version
   * (verbatim) and that host's drift baseline. Nothing is pushed.
   */
  async adoptGated(
    setId: number,
    input: {
      host: string;
      message?: string;
      /**
       * sha256 of the live file as the caller saw it (drift's liveSha256:
       * secrets masked): else 409.
       */
      liveSha256?: string;
    } & ApprovalAsk,
    caller: Caller,
  ): Promise<Gated<{ version: ConfigVersion }>> {
    const set = await this.service.getSet(setId);
    const [host]: HostTarget[] = await this.service.hostsOf(set, caller, [
      input.host,
    ]);
    // what may still refuse the adoption (the live file, its secrets), read
    // before a ticket is claimed: a refusal leaves the approval unused
    const prepare = async () => {
      const target = await this.options.sshTargets(caller.ref)(host);
      const live = await this.agent(target).readLive(set.targetPath);
      if (live === undefined) {
        throw new InputError(`${host.name} has no file at ${set.targetPath}`);
      }
      const state = (await this.options.store.hostStates(setId)).find(
        s => s.host === host.entityRef,
      );
      const latest = set.latestVersion
        ? await this.service.getVersion(setId, set.latestVersion)
        : undefined;
      const { secrets, byValue } = await adoptedSecrets(
        this.options.vault,
        set,
        latest,
        host,
        caller.ref,
      );
      // the file as drift showed it to the caller (no baseline: its
      // secrets masked)
      if (
        input.liveSha256 &&
        sha256(
          state ? shownLive(live, state) : maskSecrets(live, secrets.values()),
        ) !== input.liveSha256
      ) {
        throw new ConflictError(
          `The live file of ${host.name} changed since you saw it: check drift again`,
        );
      }
      // a value typed by hand where a vault secret was pushed would be stored
      // in clear, in a version every config reader sees
      const baseline = state?.liveContent;
      const typed = handTypedSecretLines(live, [baseline], secrets.values());
      if (typed.length > 0) {
        throw new InputError(
          `The live file of ${
            host.name
          } holds a value typed by hand where a vault secret was pushed (${typed.join(
            '; ',
          )}): put it in the vault credential and push instead of adopting it`,
        );
      }
      // a secret pushed earlier and since rotated in the vault is no value
      // of it: still in the live file, it would be stored (and shown to the
      // approver) in clear; the baseline's marks find it
      const current = maskSecrets(live, secrets.values());
      if (maskMarked(current, state?.secretMarks ?? []) !== current) {
        throw new InputError(
          `The live file of ${host.name} still holds a vault secret pushed earlier that the vault no longer has (rotated since): remove it from the file, or push, instead of adopting it`,
        );
      }
      return { live, latest, secrets, byValue };
    };
    // the adopted file becomes the host's drift baseline: a change to a prod
    // host. The approver sees the live file (secrets masked) and approves
    // exactly it: the digest covers the text shown, and the sha256 of the
    // exact bytes is kept here (not in the ticket, which viewers read) and
    // must still be the live file's when the ticket is claimed (else 409,
    // the ticket unused)
    const gate = await prodGate({
      approvals: this.options.approvals,
      caller,
      hosts: [host],
      set,
      ask: input,
      change: ({ live, secrets }) => {
        const shown = maskSecrets(live, secrets.values());
        return {
          action: 'adopt',
          setId,
          host: host.entityRef,
          message: input.message ?? null,
          definition: sha256(onHosts(set)),
          live: shown.length <= SHOWN_LIMIT ? shown : null,
          liveShownSha256: sha256(shown),
        };
      },
      beforeClaim: async (ticketId, { live }) => {
        const asked = await this.options.store.adoptions.get(ticketId);
        if (
          asked &&
          asked.setId === setId &&
          asked.host === host.entityRef &&
          asked.liveSha256 !== sha256(live)
        ) {
          throw new ConflictError(
            `The live file of ${host.name} changed since approval ticket ${ticketId} was asked for: the approval is for the file as it was (it stays unused); check drift and ask again`,
          );
        }
      },
      summary: `adopt the live ${set.targetPath} of ${host.name} as a new version of ${set.name}`,
      what: 'Adopting the live file of',
      prepare,
    });
    if (!gate.run) {
      await this.options.store.adoptions.record({
        ticketId: gate.requested.ticketId,
        setId,
        host: host.entityRef,
        liveSha256: sha256(gate.prepared!.live),
        requestedBy: caller.ref,
      });
      return { requested: gate.requested };
    }
    const { live, latest, secrets, byValue } = gate.prepared;
    const version = await this.options.store.addVersion({
      setId,
      template:
        byValue.size > 0
          ? verbatimWithSecrets(live, byValue)
          : verbatimTemplate(live),
      variables: latest?.variables ?? {},
      message: input.message ?? `Adopted the live file of ${host.name}`,
      author: caller.ref,
      adoptedFromHost: host.entityRef,
    });
    await this.options.store.recordHostState(setId, {
      host: host.entityRef,
      version: version.version,
      releaseId: 0,
      liveSha256: sha256(live),
      liveContent: maskSecrets(live, secrets.values()),
      secretMarks: secretMarks(secrets.values()),
    });
    return { version, approval: gate.approval };
  }
}
