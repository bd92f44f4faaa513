import { Config } from '@backstage/config';

/** Settings of `opsdeck.cmdb` with their defaults. */
export type CmdbConfig = {
  factsFrequencyMinutes: number;
  factsInitialDelaySeconds: number;
  factsConcurrency: number;
  factsTimeoutMs: number;
  catalogSyncFrequencyMinutes: number;
  catalogSyncInitialDelaySeconds: number;
  defaultCredential?: string;
};

/** Reads `opsdeck.cmdb`. */
export function readCmdbConfig(config: Config): CmdbConfig {
  const c = config.getOptionalConfig('opsdeck.cmdb');
  return {
    factsFrequencyMinutes: c?.getOptionalNumber('facts.frequencyMinutes') ?? 10,
    factsInitialDelaySeconds:
      c?.getOptionalNumber('facts.initialDelaySeconds') ?? 30,
    factsConcurrency: c?.getOptionalNumber('facts.concurrency') ?? 20,
    factsTimeoutMs: c?.getOptionalNumber('facts.timeoutMs') ?? 30_000,
    catalogSyncFrequencyMinutes:
      c?.getOptionalNumber('catalogSync.frequencyMinutes') ?? 5,
    catalogSyncInitialDelaySeconds:
      c?.getOptionalNumber('catalogSync.initialDelaySeconds') ?? 20,
    defaultCredential: c?.getOptionalString('defaultCredential'),
  };
}
