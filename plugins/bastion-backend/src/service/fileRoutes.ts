import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import type { JsonObject } from '@backstage/types';
import type { SshConnectionPool } from '@opsdeck/plugin-remote-node';
import { Readable } from 'node:stream';
import { judgeTransfer, resolveOnHost } from '../session/fileTransfer';
import { transferFailure } from '../session/refusals';
import type { SessionManager } from '../session/SessionManager';
import type { AnyRequest, AuditEventSpec, BastionRouter } from './router';

/**
 * SFTP in a running session (`GET`/`PUT /sessions/{id}/files?path=…`): only the session's owner,
 * on its host as its login user; the path is resolved on the host and judged by the session's
 * rules of kind `file`; every transfer (and every refusal) is audited and logged with the
 * session's commands.
 */
export function addFileRoutes(
  router: BastionRouter,
  deps: {
    sessions: SessionManager;
    ssh: Pick<
      SshConnectionPool,
      'uploadStream' | 'downloadStream' | 'openSftp'
    >;
    /** The caller's credentials (the route's permission was checked by the request guard). */
    credentials(req: AnyRequest): Promise<BackstageCredentials>;
    actorOf(credentials: BackstageCredentials): string;
    audited<T>(
      req: AnyRequest,
      spec: AuditEventSpec,
      action: () => Promise<T>,
      successMeta?: (result: T) => JsonObject,
    ): Promise<T>;
  },
) {
  const { sessions, ssh, credentials, actorOf, audited } = deps;

  /**
   * Runs an SSH step of a transfer: a connection the SSH core refused is said
   * with the code a terminal's refusal has (refusals.ts), not a generic 500.
   */
  async function overSsh<T>(
    record: { host: string; loginUser: string },
    step: () => Promise<T>,
  ): Promise<T> {
    try {
      return await step();
    } catch (e) {
      throw transferFailure(record.host, record.loginUser, e);
    }
  }

  /** A live session of the caller and the judged path, for a transfer on its host. */
  async function transferSession(
    req: AnyRequest,
    direction: 'upload' | 'download',
    path: string,
  ) {
    const caller = await credentials(req);
    const found = sessions.transferTarget(req.params.id, actorOf(caller));
    if (!found)
      throw new NotFoundError(`You have no live session ${req.params.id}`);
    const resolved = await overSsh(found.record, () =>
      resolveOnHost(ssh, found.target, path),
    );
    const verdict = judgeTransfer(found.rules, direction, resolved);
    sessions.recordTransfer(req.params.id, `${direction} ${resolved}`, verdict);
    if (verdict.action === 'reject') {
      throw new NotAllowedError(
        `${
          direction === 'upload' ? 'Upload to' : 'Download of'
        } ${resolved} refused by rule "${verdict.rule?.name}"`,
      );
    }
    return { ...found, resolved, verdict };
  }

  /** The audit event of a file transfer in a session. */
  const transferEvent = (
    eventId: 'file-download' | 'file-upload',
    req: AnyRequest,
    path: string,
  ): AuditEventSpec => ({
    eventId,
    severityLevel: 'medium',
    target: `bastion-session:${req.params.id}`,
    meta: { sessionId: req.params.id, path },
  });

  const outcome = (
    record: { host: string; hostRef: string },
    resolved: string,
    verdict: { action: string; rule?: { name: string } },
    bytes: number,
  ): JsonObject => ({
    host: record.host,
    hostRef: record.hostRef,
    resolvedPath: resolved,
    bytes,
    ...(verdict.rule
      ? { rule: verdict.rule.name, ruleAction: verdict.action }
      : {}),
  });

  router.get('/sessions/:id/files', async (req, res) => {
    const path = String(req.query.path);
    await audited(
      req,
      transferEvent('file-download', req, path),
      async () => {
        const { target, record, resolved, verdict } = await transferSession(
          req,
          'download',
          path,
        );
        const stream = await overSsh(record, () =>
          ssh.downloadStream(target, resolved),
        );
        let bytes = 0;
        stream.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        const name = path.split('/').pop() || 'download';
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader(
          'Content-Disposition',
          `attachment; filename="${name.replace(/["\\\r\n]/g, '_')}"`,
        );
        stream.pipe(res);
        await new Promise<void>((resolve, reject) => {
          stream.once('end', resolve);
          stream.once('error', reject);
        });
        return outcome(record, resolved, verdict, bytes);
      },
      meta => meta,
    );
  });

  router.put('/sessions/:id/files', async (req, res) => {
    const path = String(req.query.path);
    const result = await audited(
      req,
      transferEvent('file-upload', req, path),
      async () => {
        const { target, record, resolved, verdict } = await transferSession(
          req,
          'upload',
          path,
        );
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        // written to the path that was judged, not to the one given
        const uploaded = await overSsh(record, () =>
          ssh.uploadStream(target, Readable.from([body]), resolved),
        );
        return outcome(record, resolved, verdict, uploaded.bytes);
      },
      meta => meta,
    );
    res.json({ bytes: Number(result.bytes) });
  });
}
