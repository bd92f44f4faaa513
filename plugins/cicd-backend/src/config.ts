import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** One Jenkins instance opsdeck reads. */
export interface JenkinsInstanceConfig {
  name: string;
  baseUrl: string;
  /**
   * Vault credential (type password: username + API token) taken out at each
   * use; none for an instance that allows anonymous read.
   */
  credential?: string;
  /**
   * Monitoring's alert channels the alerts of this instance's jobs also go
   * to (instead of `alerts.channels`); unset: `alerts.channels`.
   */
  alertChannels?: string[];
}

export interface CicdConfig {
  instances: JenkinsInstanceConfig[];
  defaultInstance: string;
  /** The tail of a console log the locator keeps (bytes). */
  maxLogBytes: number;
  /** Read no more than this of a console log (bytes). */
  maxFetchBytes: number;
  /** Per-request timeout towards Jenkins (ms). */
  timeoutMs: number;
  /** Largest artifact download passed through (bytes); longer ones are cut and refused. */
  artifactMaxBytes: number;
  /** Time an artifact download may take (ms). */
  artifactTimeoutMs: number;
  alerts: {
    enabled: boolean;
    pollSeconds: number;
    mainBranches: string[];
    /**
     * Monitoring's alert channels (names of `opsdeck.monitoring.channels`)
     * every alert also goes to; empty: Backstage notifications only.
     */
    channels: string[];
    buildsPerJob: number;
    /** Builds read per job and poll beyond the first page (catch-up cap). */
    maxBuildsPerPoll: number;
    /** The alert outbox (cicd_alert_outbox): retries with backoff. */
    delivery: {
      maxAttempts: number;
      backoffSeconds: number;
      maxBackoffSeconds: number;
      /** Seconds between runs of the delivery task. */
      retrySeconds: number;
    };
  };
  intake: {
    /**
     * The CI systems that may post, each with its own signing secret (a
     * vault credential): a system's secret signs for that system only.
     */
    systems: Map<string, IntakeSystemConfig>;
    /** Largest raw body, and largest body once decompressed (bytes). */
    maxBodyBytes: number;
    maxLogBytes: number;
    toleranceSeconds: number;
    /** Signature failures per source (client address, claimed system) per window before 429. */
    failureLimit: number;
    failureWindowSeconds: number;
  };
}

/** One CI system of the intake. */
export interface IntakeSystemConfig {
  /** Vault credential (password = the HMAC secret of this system). */
  credential: string;
  /** The credential's owner group (checked by the vault at each use). */
  owner?: string;
}

const SYSTEM_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

function readIntakeSystems(
  c: Config | undefined,
): Map<string, IntakeSystemConfig> {
  if (c?.has('intake.credential')) {
    throw new InputError(
      'opsdeck.cicd.intake.credential (one secret signing for every CI system) is no longer read: ' +
        'give each CI system its own vault credential, e.g. ' +
        'opsdeck.cicd.intake.systems: { gitlab: { credential: ci-intake-gitlab } }, ' +
        'and have its pipelines send the header X-Opsdeck-System: gitlab (see the cicd-backend README, "Generic intake")',
    );
  }
  const owner = c
    ?.getOptionalString('intake.owner')
    ?.toLocaleLowerCase('en-US');
  const systems = new Map<string, IntakeSystemConfig>();
  const sc = c?.getOptionalConfig('intake.systems');
  for (const name of sc?.keys() ?? []) {
    if (!SYSTEM_NAME.test(name)) {
      throw new InputError(
        `opsdeck.cicd.intake.systems: invalid system name "${name}" (lower-case letters, digits and -)`,
      );
    }
    const s = sc!.getConfig(name);
    systems.set(name, {
      credential: s.getString('credential'),
      owner: s.getOptionalString('owner')?.toLocaleLowerCase('en-US') ?? owner,
    });
  }
  return systems;
}

/**
 * The monitoring alert channels of an alert: its Jenkins instance's
 * (`instances[].alertChannels`) when set, else `alerts.channels`.
 */
export function alertChannelsFor(
  config: Pick<CicdConfig, 'instances' | 'alerts'>,
  instance: string | undefined,
): string[] {
  const own = config.instances.find(i => i.name === instance)?.alertChannels;
  return own ?? config.alerts.channels;
}

/** Reads `opsdeck.cicd`. */
export function readCicdConfig(root: Config): CicdConfig {
  const c = root.getOptionalConfig('opsdeck.cicd');
  const instances = (c?.getOptionalConfigArray('instances') ?? []).map(i => {
    const name = i.getString('name');
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name)) {
      throw new InputError(`opsdeck.cicd.instances: invalid name "${name}"`);
    }
    const baseUrl = i.getString('baseUrl').replace(/\/+$/, '');
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new InputError(
        `opsdeck.cicd.instances.${name}: baseUrl must be http(s)`,
      );
    }
    const alertChannels = i.getOptionalStringArray('alertChannels');
    return {
      name,
      baseUrl,
      credential: i.getOptionalString('credential'),
      ...(alertChannels ? { alertChannels } : {}),
    };
  });
  return {
    instances,
    defaultInstance:
      c?.getOptionalString('defaultInstance') ??
      instances[0]?.name ??
      'default',
    maxLogBytes: c?.getOptionalNumber('locator.maxLogBytes') ?? 8 * 1024 * 1024,
    maxFetchBytes:
      c?.getOptionalNumber('locator.maxFetchBytes') ?? 64 * 1024 * 1024,
    timeoutMs: c?.getOptionalNumber('timeoutMs') ?? 15_000,
    artifactMaxBytes:
      c?.getOptionalNumber('artifacts.maxBytes') ?? 512 * 1024 * 1024,
    artifactTimeoutMs:
      c?.getOptionalNumber('artifacts.timeoutMs') ?? 10 * 60_000,
    alerts: {
      enabled: c?.getOptionalBoolean('alerts.enabled') ?? true,
      pollSeconds: c?.getOptionalNumber('alerts.pollSeconds') ?? 60,
      mainBranches: c?.getOptionalStringArray('alerts.mainBranches') ?? [
        'main',
        'master',
      ],
      channels: c?.getOptionalStringArray('alerts.channels') ?? [],
      buildsPerJob: Math.min(
        100,
        Math.max(1, c?.getOptionalNumber('alerts.buildsPerJob') ?? 10),
      ),
      maxBuildsPerPoll: Math.min(
        5000,
        Math.max(1, c?.getOptionalNumber('alerts.maxBuildsPerPoll') ?? 200),
      ),
      delivery: {
        maxAttempts: Math.max(
          1,
          c?.getOptionalNumber('alerts.delivery.maxAttempts') ?? 8,
        ),
        backoffSeconds: Math.max(
          0,
          c?.getOptionalNumber('alerts.delivery.backoffSeconds') ?? 30,
        ),
        maxBackoffSeconds: Math.max(
          1,
          c?.getOptionalNumber('alerts.delivery.maxBackoffSeconds') ?? 3600,
        ),
        retrySeconds: Math.max(
          1,
          c?.getOptionalNumber('alerts.delivery.retrySeconds') ?? 30,
        ),
      },
    },
    intake: {
      systems: readIntakeSystems(c),
      maxBodyBytes:
        c?.getOptionalNumber('intake.maxBodyBytes') ?? 2 * 1024 * 1024,
      maxLogBytes: c?.getOptionalNumber('intake.maxLogBytes') ?? 1024 * 1024,
      toleranceSeconds: c?.getOptionalNumber('intake.toleranceSeconds') ?? 300,
      failureLimit: Math.max(
        1,
        c?.getOptionalNumber('intake.failureLimit') ?? 20,
      ),
      failureWindowSeconds: Math.max(
        1,
        c?.getOptionalNumber('intake.failureWindowSeconds') ?? 60,
      ),
    },
  };
}
