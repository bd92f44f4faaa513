/**
 * Host-side exec audit (Teleport's enhanced recording, done with the host's own auditd): where
 * an admin enables it for a host (`opsdeck.bastion.execAudit`), the session's shell gets an SSH
 * connection of its own, whose kernel audit session id (`/proc/self/sessionid`, set by PAM's
 * pam_loginuid at login) the bastion reads first; through a separate audit login it then adds
 * auditd rules for execve/execveat of exactly that session id, keyed `opsdeck-<session id>`,
 * before the shell starts. Everything the session starts — scripts, `python -c`, `sudo`,
 * background jobs, processes that outlive the shell — carries that id and cannot shed it
 * without CAP_AUDIT_CONTROL. The records are read back over SSH (`ausearch --raw -k`) while the
 * session runs and at its end, and stored with the session beside what was typed.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { SshConnectionPool, SshTarget } from '@opsdeck/plugin-remote-node';
import { shellQuote } from '@opsdeck/plugin-remote-node';
import type { ExecAuditEntry } from '../config';
import type { BastionStore } from '../database/BastionStore';
import { grantSelectorMatches } from '../grants/matchGrant';
import type { AuditCredentials } from './credentials';
import type { BastionHost } from './hosts';
import { parseExecRecords } from './auditRecords';

/** The kernel's "no audit session" value (no pam_loginuid at login). */
const UNSET = '4294967295';

export class ExecAuditUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecAuditUnavailableError';
  }
}

/** The exec-audit setting that applies to a host, if any (first match). */
export function execAuditFor(
  entries: ExecAuditEntry[],
  host: BastionHost,
): ExecAuditEntry | undefined {
  return entries.find(e => grantSelectorMatches(e.hosts, host));
}

export type ExecAuditDeps = {
  ssh: Pick<SshConnectionPool, 'exec'>;
  /** SSH credentials of the audit login (a vault credential, as `loginUser` when given). */
  credentials: AuditCredentials;
  store: BastionStore;
  logger: LoggerService;
};

/** The auditd rules of one session, on one host. */
export class ExecAuditSession {
  private readonly key: string;
  private collecting?: Promise<number>;

  private constructor(
    private readonly deps: ExecAuditDeps,
    private readonly entry: ExecAuditEntry,
    private readonly target: SshTarget,
    private readonly sessionId: string,
    private readonly kernelSession: string,
  ) {
    this.key = `opsdeck-${sessionId}`;
  }

  /**
   * Reads the shell connection's audit session id with `run` (a command on that connection)
   * and installs the rules through the audit login. Throws ExecAuditUnavailableError when the
   * host cannot do it (no pam_loginuid, no auditd, the audit login may not run auditctl).
   */
  static async begin(
    deps: ExecAuditDeps,
    entry: ExecAuditEntry,
    host: BastionHost,
    sessionId: string,
    actor: string,
    run: (command: string) => Promise<string>,
  ): Promise<ExecAuditSession> {
    const kernelSession = (await run('cat /proc/self/sessionid')).trim();
    if (!/^\d+$/.test(kernelSession) || kernelSession === UNSET) {
      throw new ExecAuditUnavailableError(
        `${host.name} gives SSH logins no audit session id (sshd needs UsePAM yes with pam_loginuid)`,
      );
    }
    const credentials = await deps.credentials(
      entry.credential,
      entry.loginUser,
      host,
      actor,
    );
    const target = { host: host.address, port: host.port, credentials };
    const session = new ExecAuditSession(
      deps,
      entry,
      target,
      sessionId,
      kernelSession,
    );
    await session.auditctl('-a');
    return session;
  }

  private prefix(): string {
    return this.entry.sudo ? 'sudo -n ' : '';
  }

  private rule(op: '-a' | '-d', arch: 'b64' | 'b32'): string {
    return `${this.prefix()}auditctl ${op} always,exit -F arch=${arch} -S execve,execveat -F sessionid=${
      this.kernelSession
    } -k ${this.key}`;
  }

  private async auditctl(op: '-a' | '-d') {
    // both ABIs: a 32-bit execve would pass a 64-bit-only rule
    const r = await this.deps.ssh.exec(
      this.target,
      `${this.rule(op, 'b64')} && ${this.rule(op, 'b32')}`,
      { timeoutMs: 20_000 },
    );
    if (r.exitCode !== 0) {
      throw new ExecAuditUnavailableError(
        `auditctl on ${this.target.host} failed (${r.exitCode}): ${r.stderr
          .trim()
          .slice(0, 300)}`,
      );
    }
  }

  /** Reads the session's records from the host and stores the new ones; returns how many. */
  collect(): Promise<number> {
    // one read at a time
    this.collecting = (this.collecting ?? Promise.resolve(0))
      .catch(() => 0)
      .then(() => this.collectOnce());
    return this.collecting;
  }

  private async collectOnce(): Promise<number> {
    const input = this.entry.logFile
      ? ` -if ${shellQuote(this.entry.logFile)}`
      : '';
    const r = await this.deps.ssh.exec(
      this.target,
      `${this.prefix()}ausearch --raw -k ${this.key}${input}`,
      { timeoutMs: 60_000, maxOutputBytes: 32 * 1024 * 1024 },
    );
    // ausearch exits 1 with "<no matches>" before the first program ran
    if (r.exitCode !== 0 && !/no matches/i.test(r.stderr)) {
      throw new ExecAuditUnavailableError(
        `ausearch on ${this.target.host} failed (${r.exitCode}): ${r.stderr
          .trim()
          .slice(0, 300)}`,
      );
    }
    return this.deps.store.addExecs(parseExecRecords(r.stdout, this.sessionId));
  }

  /** Removes the rules (the session ended) and reads what is left. */
  async end(): Promise<void> {
    try {
      await this.auditctl('-d');
    } finally {
      await this.collect();
    }
  }
}
