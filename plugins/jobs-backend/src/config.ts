import { Config } from '@backstage/config';
import { readAllowList, WebhookAllowEntry } from './notify/webhookPolicy';

export interface JobsConfig {
  defaultCredential?: string;
  maxOutputBytes: number;
  scheduleIntervalMs: number;
  missedGraceMs: number;
  staleRunMs: number;
  webhookTimeoutMs: number;
  webhookRetries: number;
  streamPollMs: number;
  prodEnvironments: string[];
  webhookAllowList: WebhookAllowEntry[];
}

/** Reads `opsdeck.jobs` (see config.d.ts). */
export function readJobsConfig(config: Config): JobsConfig {
  const c = config.getOptionalConfig('opsdeck.jobs');
  return {
    defaultCredential: c?.getOptionalString('defaultCredential'),
    maxOutputBytes: c?.getOptionalNumber('maxOutputBytes') ?? 1024 * 1024,
    scheduleIntervalMs:
      (c?.getOptionalNumber('scheduleIntervalSeconds') ?? 10) * 1000,
    missedGraceMs: (c?.getOptionalNumber('missedGraceSeconds') ?? 60) * 1000,
    staleRunMs: (c?.getOptionalNumber('staleRunSeconds') ?? 60) * 1000,
    webhookTimeoutMs:
      (c?.getOptionalNumber('webhookTimeoutSeconds') ?? 5) * 1000,
    webhookRetries: c?.getOptionalNumber('webhookRetries') ?? 2,
    streamPollMs: c?.getOptionalNumber('streamPollMs') ?? 500,
    prodEnvironments: c?.getOptionalStringArray('prodEnvironments') ?? ['prod'],
    webhookAllowList: readAllowList(
      c?.getOptional('webhookAllowList') as Parameters<typeof readAllowList>[0],
    ),
  };
}
