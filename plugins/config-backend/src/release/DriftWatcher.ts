import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { ConfigSet, HostDrift } from '@opsdeck/plugin-config-common';
import type { ConfigService } from '../service/ConfigService';

/** Tells a set's owner about hosts whose live file changed by hand. */
export type DriftNotifier = (
  set: ConfigSet,
  drifted: HostDrift[],
) => Promise<void>;

/**
 * The drift schedule: hashes the live file of every pushed host of every
 * set and tells the owner about hosts that drifted since the last check
 * (each live content once, so a host that stays drifted is not reported on
 * every run). Hosts are resolved and logged in to with the plugin's own
 * credentials.
 */
export class DriftWatcher {
  /** `setId host` → sha256 of the drifted live file already reported. */
  private readonly reported = new Map<string, string | undefined>();

  constructor(
    private readonly options: {
      service: ConfigService;
      credentials: () => Promise<BackstageCredentials>;
      notify: DriftNotifier;
      logger: LoggerService;
    },
  ) {}

  /** One run over every set; returns the newly drifted hosts per set. */
  async checkAll(): Promise<Array<{ setId: number; hosts: string[] }>> {
    const { service, logger } = this.options;
    const credentials = await this.options.credentials();
    const out: Array<{ setId: number; hosts: string[] }> = [];
    for (const set of await service.store.listSets()) {
      if ((await service.store.hostStates(set.id)).length === 0) continue;
      // files swapped in without reload differ from the baseline until reloaded
      if (await service.store.reloads.pending(set.id)) continue;
      let drift: HostDrift[];
      try {
        drift = await service.drift(set.id, { ref: '', credentials });
      } catch (e) {
        logger.warn(
          `Drift check of ${set.name} failed: ${(e as Error).message}`,
        );
        continue;
      }
      const fresh = drift.filter(d => {
        const key = `${set.id} ${d.host}`;
        if (!d.drifted) {
          this.reported.delete(key);
          return false;
        }
        if (this.reported.has(key) && this.reported.get(key) === d.liveSha256) {
          return false;
        }
        this.reported.set(key, d.liveSha256);
        return true;
      });
      if (fresh.length === 0) continue;
      logger.warn(
        `Config drift in ${set.name}: ${fresh.map(d => d.host).join(', ')}`,
      );
      try {
        await this.options.notify(set, fresh);
      } catch (e) {
        logger.warn(`Could not send the drift notification: ${e}`);
      }
      out.push({ setId: set.id, hosts: fresh.map(d => d.host) });
    }
    return out;
  }
}
