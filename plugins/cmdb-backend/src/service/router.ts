import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type {
  HostSummary,
  RegisterHostResult,
} from '@opsdeck/plugin-cmdb-common';
import { cmdbHostAnyOwnerPermission } from '@opsdeck/plugin-opsdeck-common';
import {
  audited,
  coded,
  createRequestGuard,
} from '@opsdeck/plugin-opsdeck-node';
import { normalizeGroupRef } from '@opsdeck/plugin-vault-node';
import type { CmdbHubService } from '@opsdeck/plugin-cmdb-node';
import {
  fanOut,
  hostKeyId,
  type HostKeyStore,
} from '@opsdeck/plugin-remote-node';
import type { Request, Response } from 'express';
import { FactsOutcome, HostRecord, HostStore } from '../database/HostStore';
import { FactCollector } from '../facts/FactCollector';
import { HostResolver } from '../hosts/HostResolver';
import { hostProblems, newHostRecord } from '../model/hosts';
import { createOpenApiRouter } from '../schema/openapi.generated';

const CSV_COLUMNS: (keyof HostSummary)[] = [
  'name',
  'entityRef',
  'address',
  'port',
  'loginUser',
  'credential',
  'environment',
  'owner',
  'system',
  'tags',
  'source',
  'reachable',
  'error',
  'os',
  'uptimeSeconds',
  'collectedAt',
];

/** One CSV field (RFC 4180 quoting; tags joined with spaces). */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = Array.isArray(value) ? value.join(' ') : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function writeChunk(res: Response, chunk: string): Promise<void> {
  if (res.write(chunk)) return Promise.resolve();
  return new Promise(resolve => res.once('drain', () => resolve()));
}

/** No key of the host waits for acceptance (accepted or rejected meanwhile). */
function noPendingKey(hostId: string) {
  return coded(
    new ConflictError(`No host key of ${hostId} waits for acceptance`),
    'cmdb-host-key-none-pending',
    { hostId },
  );
}

/** The CMDB's HTTP API. */
export async function createRouter(options: {
  store: HostStore;
  collector: FactCollector;
  /** Selectors to hosts, as the catalog's read permission lets the caller see them. */
  resolver: HostResolver;
  hub: CmdbHubService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  /** The groups a registrant is a member of (a host's owner must be one). */
  userInfo: UserInfoService;
  /** The SSH core's pinned host keys (shared by every plugin). */
  hostKeys: HostKeyStore;
  /** Most hosts checked at once when registering with checkReachability. */
  concurrency?: number;
}) {
  const { store, collector, hub, auditor, hostKeys } = options;
  const guard = createRequestGuard(options);
  // permissions per operation: schema/access.ts
  const router = await createOpenApiRouter({ guard });

  /** The person on whose behalf secrets are taken out of the vault. */
  async function actorOf(req: Request<any, any, any, any, any>) {
    const credentials = await guard.credentials(req);
    const principal = credentials.principal as { userEntityRef?: string };
    return principal.userEntityRef;
  }

  /**
   * The owners a caller may register hosts for: their own groups, or any
   * with `opsdeck.cmdb.host.owner.any` (a host's owner decides which vault
   * credentials it may use, so nobody claims another group's hosts).
   */
  async function ownerCheck(
    req: Request<any, any, any, any, any>,
  ): Promise<(owner: string) => boolean> {
    const credentials = await guard.credentials(req);
    if (await guard.allowed(credentials, cmdbHostAnyOwnerPermission)) {
      return () => true;
    }
    if (credentials.principal.type !== 'user') return () => false;
    const { ownershipEntityRefs } = await options.userInfo.getUserInfo(
      credentials,
    );
    const own = new Set(
      ownershipEntityRefs.map(r => r.toLocaleLowerCase('en-US')),
    );
    return owner => {
      const ref = normalizeGroupRef(owner);
      return ref !== undefined && own.has(ref);
    };
  }

  router.get('/hosts', async (req, res) => {
    const q = req.query;
    res.json(
      await store.list({
        environment: q.environment,
        owner: q.owner,
        system: q.system,
        tag: q.tag,
        reachable: q.reachable,
        q: q.q,
        after: q.after,
        limit: q.limit,
      }),
    );
  });

  router.post('/hosts/resolve', async (req, res) => {
    const credentials = await guard.credentials(req);
    const { selector, limit } = req.body;
    const hosts = await options.resolver.resolve(selector, credentials);
    res.json({
      items: limit === undefined ? hosts : hosts.slice(0, limit),
      total: hosts.length,
    });
  });

  router.get('/hosts/export.csv', async (req, res) => {
    const q = req.query;
    const pages = store
      .stream({
        environment: q.environment,
        owner: q.owner,
        system: q.system,
        tag: q.tag,
        reachable: q.reachable,
        q: q.q,
      })
      [Symbol.asyncIterator]();
    // The first page is read before anything is sent: a store that fails
    // then answers an error the portal can say, not a 200 cut short.
    let next = await pages.next();
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="hosts.csv"');
    await writeChunk(res, `${CSV_COLUMNS.join(',')}\r\n`);
    while (!next.done) {
      const lines = next.value
        .map(h => CSV_COLUMNS.map(c => csvField(h[c])).join(','))
        .join('\r\n');
      await writeChunk(res, `${lines}\r\n`);
      next = await pages.next();
    }
    res.end();
  });

  router.get('/hosts/:name', async (req, res) => {
    const host = await store.get(req.params.name);
    if (!host) throw new NotFoundError(`No host named '${req.params.name}'`);
    res.json(host);
  });

  router.post('/hosts', async (req, res) => {
    const actor = await actorOf(req);
    const { hosts, checkReachability } = req.body;
    const mayOwn = await ownerCheck(req);
    const results: RegisterHostResult[] = hosts.map(h => ({
      name: h.name,
      status: 'created',
    }));

    // validate and look for taken names
    const candidates: { index: number; record: HostRecord }[] = [];
    const seen = new Set<string>();
    for (const [index, host] of hosts.entries()) {
      const problems = hostProblems(host);
      if (seen.has(host.name)) problems.push('duplicate name in the request');
      if (typeof host.owner === 'string' && host.owner && !mayOwn(host.owner)) {
        problems.push(
          `owner ${host.owner} is not one of your groups: you may register hosts for your own groups only`,
        );
      }
      seen.add(host.name);
      if (problems.length > 0) {
        results[index] = {
          name: host.name,
          status: 'invalid',
          message: problems.join('; '),
        };
        continue;
      }
      const existing = await store.getRecord(host.name);
      if (existing) {
        results[index] = {
          name: host.name,
          status: 'exists',
          entityRef: existing.entityRef,
          message:
            existing.source === 'cmdb'
              ? 'A host with this name is already registered'
              : 'A host with this name is already defined in the catalog',
        };
        continue;
      }
      candidates.push({ index, record: newHostRecord(host) });
    }

    // optionally connect first; the facts found are kept
    const outcomes = new Map<number, FactsOutcome>();
    if (checkReachability && candidates.length > 0) {
      const credentials = collector.credentials(actor);
      const probed = await fanOut(
        candidates,
        c => collector.probe(c.record, undefined, credentials),
        { concurrency: options.concurrency ?? 20 },
      );
      for (const r of probed) {
        if (r.ok) outcomes.set(r.target.index, r.value);
        else {
          outcomes.set(r.target.index, {
            reachable: false,
            error: r.error.message,
          });
        }
      }
    }

    const added: HostRecord[] = [];
    for (const { index, record } of candidates) {
      const outcome = outcomes.get(index);
      // nothing was sent to a host whose key waits for an admin: register it
      const pending = outcome && !outcome.reachable && outcome.hostKeyPending;
      if (outcome && !outcome.reachable && !pending) {
        results[index] = {
          name: record.name,
          status: 'unreachable',
          message: `Not added: SSH connection failed: ${outcome.error}`,
        };
        continue;
      }
      const event = await auditor.createEvent({
        eventId: 'host-register',
        severityLevel: 'medium',
        request: req,
        meta: {
          entityRef: record.entityRef,
          address: record.address,
          port: record.port,
          environment: record.environment,
          checkedReachability: Boolean(checkReachability),
        },
      });
      try {
        if (!(await store.insert(record))) {
          results[index] = {
            name: record.name,
            status: 'exists',
            message: 'A host with this name is already registered',
          };
          await event.fail({ error: new ConflictError('Name taken') });
          continue;
        }
        if (outcome) await store.recordFacts(record.name, outcome);
        await event.success();
      } catch (error) {
        await event.fail({ error: error as Error });
        throw error;
      }
      results[index] = {
        name: record.name,
        status: 'created',
        entityRef: record.entityRef,
        ...(pending
          ? { message: `Registered; not checked yet: ${outcome.error}` }
          : {}),
      };
      added.push(record);
    }
    if (added.length > 0) hub.publish({ type: 'added', hosts: added });
    res.json({ results });
  });

  router.delete('/hosts/:name', async (req, res) => {
    const record = await store.getRecord(req.params.name);
    if (!record) throw new NotFoundError(`No host named '${req.params.name}'`);
    await audited(
      auditor,
      {
        eventId: 'host-decommission',
        severityLevel: 'high',
        request: req,
        target: record.entityRef,
        meta: { address: record.address },
      },
      async () => {
        if (record.source !== 'cmdb') {
          throw coded(
            new ConflictError(
              `Host '${record.name}' is defined in the catalog (${record.entityRef}), not registered through the CMDB; remove it at its source`,
            ),
            'cmdb-host-from-catalog',
            { entityRef: record.entityRef },
          );
        }
        if (await store.delete(record.name)) {
          hub.publish({ type: 'removed', hosts: [record] });
        }
      },
    );
    res.status(204).end();
  });

  router.post('/hosts/:name/collect', async (req, res) => {
    const actor = await actorOf(req);
    const record = await store.getRecord(req.params.name);
    if (!record) throw new NotFoundError(`No host named '${req.params.name}'`);
    await audited(
      auditor,
      {
        eventId: 'host-collect',
        severityLevel: 'low',
        request: req,
        target: record.entityRef,
        successMeta: outcome =>
          outcome.reachable
            ? { reachable: true }
            : { reachable: false, error: outcome.error },
      },
      () => collector.collectOne(record, actor),
    );
    res.json((await store.get(record.name))!);
  });

  router.post('/collect', async (req, res) => {
    const actor = await actorOf(req);
    const names = req.body.names;
    let hosts: HostRecord[] | undefined;
    if (names) {
      hosts = [];
      for (const name of names) {
        const record = await store.getRecord(name);
        if (!record) throw new NotFoundError(`No host named '${name}'`);
        hosts.push(record);
      }
    }
    const summary = await audited(
      auditor,
      {
        eventId: 'host-collect-many',
        severityLevel: 'low',
        request: req,
        target: names ? `cmdb:hosts/${names.length}` : 'cmdb:hosts/all',
        meta: { hosts: names ?? 'all' },
        successMeta: s => ({
          collected: s.hosts,
          reachable: s.reachable,
          unreachable: s.items.filter(i => !i.reachable).map(i => i.name),
        }),
      },
      () =>
        hosts
          ? collector.collectHosts(hosts, { actor })
          : collector.collectEvery(undefined, actor),
    );
    res.json(summary);
  });

  router.get('/hosts/:name/host-key', async (req, res) => {
    const record = await store.getRecord(req.params.name);
    if (!record) throw new NotFoundError(`No host named '${req.params.name}'`);
    const hostId = hostKeyId(record.address, record.port);
    const [fingerprint, pending] = await Promise.all([
      hostKeys.get(hostId),
      hostKeys.pending(hostId),
    ]);
    res.json({
      hostId,
      ...(fingerprint ? { fingerprint } : {}),
      ...(pending && !fingerprint
        ? {
            pending: {
              fingerprint: pending.fingerprint,
              offeredAt: pending.offeredAt.toISOString(),
            },
          }
        : {}),
    });
  });

  router.post('/hosts/:name/host-key/accept', async (req, res) => {
    const record = await store.getRecord(req.params.name);
    if (!record) throw new NotFoundError(`No host named '${req.params.name}'`);
    const hostId = hostKeyId(record.address, record.port);
    const { fingerprint } = req.body;
    await audited(
      auditor,
      {
        eventId: 'host-key-accept',
        severityLevel: 'high',
        request: req,
        target: record.entityRef,
        meta: { hostId, fingerprint },
      },
      async () => {
        if (!(await hostKeys.accept(hostId, fingerprint))) {
          const pending = await hostKeys.pending(hostId);
          throw pending
            ? coded(
                new ConflictError(
                  `The host now offers ${pending.fingerprint}, not ${fingerprint}: check the new key before accepting it`,
                ),
                'cmdb-host-key-changed',
                { offered: pending.fingerprint },
              )
            : noPendingKey(hostId);
        }
      },
    );
    res.json({ hostId, fingerprint });
  });

  router.post('/hosts/:name/host-key/reject', async (req, res) => {
    const record = await store.getRecord(req.params.name);
    if (!record) throw new NotFoundError(`No host named '${req.params.name}'`);
    const hostId = hostKeyId(record.address, record.port);
    await audited(
      auditor,
      {
        eventId: 'host-key-reject',
        severityLevel: 'high',
        request: req,
        target: record.entityRef,
        meta: { hostId },
        successMeta: rejected => ({ rejectedFingerprint: rejected }),
      },
      async () => {
        const pending = await hostKeys.pending(hostId);
        if (!(await hostKeys.reject(hostId))) {
          throw noPendingKey(hostId);
        }
        return pending?.fingerprint ?? null;
      },
    );
    res.status(204).end();
  });

  router.delete('/hosts/:name/host-key', async (req, res) => {
    const record = await store.getRecord(req.params.name);
    if (!record) throw new NotFoundError(`No host named '${req.params.name}'`);
    const hostId = hostKeyId(record.address, record.port);
    await audited(
      auditor,
      {
        eventId: 'host-key-reset',
        severityLevel: 'high',
        request: req,
        target: record.entityRef,
        meta: { hostId },
        // a fingerprint is public (ssh-keygen -l), not a secret
        successMeta: previous => ({ previousFingerprint: previous ?? null }),
      },
      async () => {
        const previous = await hostKeys.get(hostId);
        await hostKeys.remove(hostId);
        return previous;
      },
    );
    res.status(204).end();
  });

  return router;
}
