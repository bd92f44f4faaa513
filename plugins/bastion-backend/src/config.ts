import { Config } from '@backstage/config';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';

/**
 * Host-side exec audit for the hosts `hosts` selects (see session/execAudit.ts): an audit login
 * (vault `credential`, as `loginUser`) that may run auditctl and ausearch (through `sudo -n`
 * when `sudo`), and the audit log to read (`logFile`, else ausearch's default).
 */
export type ExecAuditEntry = {
  hosts: {
    host?: string;
    system?: string;
    owner?: string;
    tag?: string;
    environment?: string;
  };
  credential: string;
  loginUser?: string;
  sudo: boolean;
  logFile?: string;
  /** Refuse sessions when exec audit cannot be set up (default true). */
  required: boolean;
};

/** Settings of `opsdeck.bastion` with their defaults. */
export type BastionConfig = {
  /** Directory of the asciicast files (relative to the backend's working directory). */
  recordingsDir: string;
  /** A session without input or output this long is closed. */
  idleTimeoutSeconds: number;
  /** Longest a session may last. */
  maxSessionSeconds: number;
  /** How often open sessions are checked against their grants (expiry, revocation). */
  grantCheckSeconds: number;
  /**
   * This backend instance's name in the session table (replicas share the database); the same
   * after a restart, so a restarted instance ends its own previous sessions at once.
   */
  instanceId: string;
  /** This process start of the instance (random). */
  instanceRun: string;
  /** How long a command under a `review` rule waits for an approver before it is denied. */
  reviewTimeoutSeconds: number;
  /** How often this instance marks its open sessions alive. */
  heartbeatSeconds: number;
  /** Open sessions without a heartbeat this long are ended as interrupted (their instance died). */
  staleSeconds: number;
  /** Vault credential for hosts that name none. */
  defaultCredential?: string;
  /** Where host-side exec audit is on (empty: nowhere). */
  execAudit: ExecAuditEntry[];
  /** How often the exec records of live audited sessions are read back. */
  execAuditCollectSeconds: number;
  mfa: {
    /** Host environments that need a TOTP step-up before a session opens. */
    requiredEnvironments: string[];
    /** How long a step-up stays valid. */
    windowMinutes: number;
    /** AES-256 key (base64) that encrypts TOTP secrets at rest; absent = MFA unavailable. */
    key?: Buffer;
    /** Wrong codes allowed per user in `lockMinutes` before further tries are refused. */
    maxFailures: number;
    lockMinutes: number;
  };
};

/** Reads `opsdeck.bastion`. */
export function readBastionConfig(config: Config): BastionConfig {
  const c = config.getOptionalConfig('opsdeck.bastion');
  const m = c?.getOptionalConfig('mfa');
  const key = m?.getOptionalString('key');
  const keyBytes = key ? Buffer.from(key, 'base64') : undefined;
  const heartbeatSeconds = c?.getOptionalNumber('heartbeatSeconds') ?? 10;
  if (keyBytes && keyBytes.length !== 32) {
    throw new Error('opsdeck.bastion.mfa.key must be 32 bytes, base64');
  }
  return {
    recordingsDir: resolve(
      c?.getOptionalString('recordingsDir') ?? '.data/recordings',
    ),
    idleTimeoutSeconds: c?.getOptionalNumber('idleTimeoutSeconds') ?? 900,
    maxSessionSeconds: c?.getOptionalNumber('maxSessionSeconds') ?? 8 * 3600,
    grantCheckSeconds: c?.getOptionalNumber('grantCheckSeconds') ?? 30,
    // stable across restarts (a restarted process ends its predecessor's sessions at once);
    // replicas on one host set their own
    instanceId: c?.getOptionalString('instanceId') ?? hostname(),
    instanceRun: randomBytes(6).toString('hex'),
    reviewTimeoutSeconds: c?.getOptionalNumber('reviewTimeoutSeconds') ?? 300,
    heartbeatSeconds,
    staleSeconds: c?.getOptionalNumber('staleSeconds') ?? heartbeatSeconds * 3,
    defaultCredential:
      c?.getOptionalString('defaultCredential') ??
      config.getOptionalString('opsdeck.cmdb.defaultCredential'),
    execAudit: (c?.getOptionalConfigArray('execAudit') ?? []).map(e => ({
      hosts: {
        host: e.getOptionalString('hosts.host'),
        system: e.getOptionalString('hosts.system'),
        owner: e.getOptionalString('hosts.owner'),
        tag: e.getOptionalString('hosts.tag'),
        environment: e.getOptionalString('hosts.environment'),
      },
      credential: e.getString('credential'),
      loginUser: e.getOptionalString('loginUser'),
      sudo: e.getOptionalBoolean('sudo') ?? false,
      logFile: e.getOptionalString('logFile'),
      required: e.getOptionalBoolean('required') ?? true,
    })),
    execAuditCollectSeconds:
      c?.getOptionalNumber('execAuditCollectSeconds') ?? 10,
    mfa: {
      requiredEnvironments: m?.getOptionalStringArray(
        'requiredEnvironments',
      ) ?? ['prod'],
      windowMinutes: m?.getOptionalNumber('windowMinutes') ?? 15,
      key: keyBytes,
      maxFailures: m?.getOptionalNumber('maxFailures') ?? 5,
      lockMinutes: m?.getOptionalNumber('lockMinutes') ?? 5,
    },
  };
}
