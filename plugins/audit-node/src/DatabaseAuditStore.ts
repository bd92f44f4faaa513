import { DatabaseService, LoggerService } from '@backstage/backend-plugin-api';
import type {
  AuditEvent,
  AuditEventFacets,
  AuditEventPage,
  AuditEventQuery,
} from '@opsdeck/plugin-opsdeck-common';
import { Knex } from 'knex';
import {
  AuditStore,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  NewAuditEvent,
} from './AuditStore';
import { applyAuditMigrations } from './migrations';
import { type AuditRow as Row, rowToEvent } from './auditRows';

const TABLE = 'audit_events';

/** Largest serialized `meta` stored with an event, in bytes. */
export const MAX_META_BYTES = 8 * 1024;
const MAX_ERROR_LENGTH = 4000;

/**
 * Serializes meta as JSON of at most {@link MAX_META_BYTES}. When it is too
 * large, top-level keys are kept in order while they fit and the names of the
 * dropped ones are listed under `_truncated`.
 */
export function serializeMeta(meta: Record<string, unknown>): string {
  const full = safeStringify(meta);
  if (Buffer.byteLength(full, 'utf8') <= MAX_META_BYTES) {
    return full;
  }
  const kept: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(meta)) {
    const candidate = { ...kept, [key]: value };
    const size = Buffer.byteLength(
      safeStringify({ ...candidate, _truncated: [...dropped, '…'] }),
      'utf8',
    );
    if (size <= MAX_META_BYTES - 512) {
      kept[key] = value;
    } else {
      dropped.push(key);
    }
  }
  let out = safeStringify({ ...kept, _truncated: dropped });
  if (Buffer.byteLength(out, 'utf8') > MAX_META_BYTES) {
    out = safeStringify({ _truncated: Object.keys(meta).slice(0, 50) });
  }
  if (Buffer.byteLength(out, 'utf8') > MAX_META_BYTES) {
    out = '{"_truncated":true}';
  }
  return out;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '{}';
  } catch {
    return '{"_unserializable":true}';
  }
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, c => `\\${c}`);
}

/** {@link AuditStore} on the plugin's knex database (PostgreSQL or SQLite). */
export class DatabaseAuditStore implements AuditStore {
  /** Applies migrations (unless the database service says to skip them). */
  static async create(options: {
    database: DatabaseService;
    logger?: LoggerService;
  }): Promise<DatabaseAuditStore> {
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await applyAuditMigrations(knex);
    }
    return new DatabaseAuditStore(knex);
  }

  constructor(private readonly db: Knex) {}

  async insert(event: NewAuditEvent): Promise<number> {
    const [row] = await this.db<Row>(TABLE)
      .insert({
        occurred_at: event.occurredAt,
        plugin: event.plugin.slice(0, 255),
        action: event.action.slice(0, 255),
        severity: event.severity.slice(0, 16),
        status: event.status,
        outcome: event.outcome,
        actor: event.actor.slice(0, 512),
        via: event.via.join(' ').slice(0, 512),
        target: event.target.slice(0, 1024),
        request_id: event.requestId?.slice(0, 255) ?? null,
        ip: event.ip?.slice(0, 64) ?? null,
        error: event.error?.slice(0, MAX_ERROR_LENGTH) ?? null,
        meta: serializeMeta(event.meta),
      } as Partial<Row>)
      .returning('id');
    const id = typeof row === 'object' ? row.id : row;
    return Number(id);
  }

  async list(query: AuditEventQuery): Promise<AuditEventPage> {
    const limit = Math.min(
      Math.max(Math.floor(query.limit ?? DEFAULT_PAGE_SIZE), 1),
      MAX_PAGE_SIZE,
    );
    const q = this.db<Row>(TABLE).select('*');
    // A bare name ("alice") means that user, as people type it in the filter.
    if (query.actor) {
      q.where(
        'actor',
        query.actor.includes(':') ? query.actor : `user:default/${query.actor}`,
      );
    }
    if (query.action) q.where('action', query.action);
    if (query.plugin) q.where('plugin', query.plugin);
    if (query.status) q.where('status', query.status);
    if (query.outcome) q.where('outcome', query.outcome);
    if (query.target) {
      if (query.target.endsWith('*')) {
        const prefix = query.target.slice(0, -1);
        if (prefix) {
          q.whereRaw(`target like ? escape '\\'`, [`${escapeLike(prefix)}%`]);
        }
      } else {
        q.where('target', query.target);
      }
    }
    if (query.from) q.where('occurred_at', '>=', new Date(query.from));
    if (query.to) q.where('occurred_at', '<', new Date(query.to));
    if (query.before !== undefined) q.where('id', '<', query.before);

    const rows = await q.orderBy('id', 'desc').limit(limit + 1);
    const items = rows.slice(0, limit).map(rowToEvent);
    const hasMore = rows.length > limit;
    return hasMore
      ? { items, nextCursor: items[items.length - 1].id }
      : { items };
  }

  async get(id: number): Promise<AuditEvent | undefined> {
    const row = await this.db<Row>(TABLE).where('id', id).first();
    return row ? rowToEvent(row) : undefined;
  }

  async facets(): Promise<AuditEventFacets> {
    const [plugins, actions] = await Promise.all([
      this.db<Row>(TABLE).distinct('plugin').orderBy('plugin'),
      this.db<Row>(TABLE).distinct('action').orderBy('action'),
    ]);
    return {
      plugins: plugins.map(r => r.plugin),
      actions: actions.map(r => r.action),
    };
  }
}
