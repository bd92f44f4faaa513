import type {
  ShellChannel,
  SshConnectionPool,
  SshTarget,
} from '@opsdeck/plugin-remote-node';
import type { ExecAuditEntry } from '../config';
import {
  ExecAuditSession,
  execAuditFor,
  type ExecAuditDeps,
} from './execAudit';
import type { BastionHost } from './hosts';

/** How long opening a shell may take, including waiting for a free SSH channel. */
const OPEN_TIMEOUT_MS = 30_000;

export type ShellSsh = Pick<
  SshConnectionPool,
  'shell' | 'dedicatedShell' | 'exec'
>;

/**
 * Opens the session's shell. On a host with exec audit, on a connection of its own whose audit
 * session id gets auditd rules before the shell starts (refused when that fails and the
 * setting is `required`); elsewhere on a pooled connection.
 */
export async function openShell(options: {
  ssh: ShellSsh;
  execAudit: ExecAuditEntry[];
  auditDeps?: Omit<ExecAuditDeps, 'ssh'>;
  host: BastionHost;
  target: SshTarget;
  sessionId: string;
  /** The person whose session it is (on whose behalf the audit login is taken out). */
  actor: string;
  cols: number;
  rows: number;
}): Promise<{
  channel: ShellChannel;
  audit?: ExecAuditSession;
  /** `on`, or why exec audit is not on (undefined: not enabled for the host). */
  auditState?: string;
}> {
  const { ssh, host, target } = options;
  const pty = {
    cols: options.cols,
    rows: options.rows,
    term: 'xterm-256color',
    // the SSH core caps channels per host and login (remote-node pool settings); a
    // session beyond the cap waits for a free channel, but not forever
    signal: AbortSignal.timeout(OPEN_TIMEOUT_MS),
  };
  const entry = execAuditFor(options.execAudit, host);
  if (!entry || !options.auditDeps) {
    return { channel: await ssh.shell(target, pty) };
  }
  const deps = { ...options.auditDeps, ssh };
  let audit: ExecAuditSession | undefined;
  let auditState = 'on';
  const channel = await ssh.dedicatedShell(target, {
    ...pty,
    before: async run => {
      try {
        audit = await ExecAuditSession.begin(
          deps,
          entry,
          host,
          options.sessionId,
          options.actor,
          run,
        );
      } catch (e) {
        if (entry.required) {
          throw new Error(
            `host-side exec audit is required on ${
              host.name
            } and could not be set up: ${
              e instanceof Error ? e.message : String(e)
            }`,
          );
        }
        auditState = `unavailable: ${
          e instanceof Error ? e.message : String(e)
        }`;
        deps.logger.warn(`Bastion exec audit on ${host.name}: ${auditState}`);
      }
    },
  });
  return { channel, audit, auditState };
}
