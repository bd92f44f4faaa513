import type { ApprovalLevel, Ticket, TicketState } from '../model';

export type TicketRow = {
  id: number;
  key: string;
  title: string;
  summary: string | null;
  template_ref: string | null;
  task_id: string | null;
  requester: string;
  state: TicketState;
  level_count: number;
  current_level: number;
  levels: string;
  details: string;
  result: string | null;
  message: string | null;
  expires_at: Date | string | number | null;
  change_kind?: string | null;
  change_target?: string | null;
  change_digest?: string | null;
  claimed_at?: Date | string | number | null;
  claimed_by?: string | null;
  created_at: Date | string | number;
  updated_at: Date | string | number;
};

/** SQLite hands back numbers or strings, PostgreSQL Dates. */
export function iso(value: Date | string | number): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  const parsed = new Date(/^\d+$/.test(value) ? Number(value) : value);
  return parsed.toISOString();
}

export function parseJson<T>(text: string | null, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function toTicket(row: TicketRow): Ticket {
  const levels = parseJson<ApprovalLevel[]>(row.levels, []);
  const state = row.state;
  return {
    id: Number(row.id),
    key: row.key,
    title: row.title,
    summary: row.summary ?? undefined,
    templateRef: row.template_ref ?? undefined,
    taskId: row.task_id ?? undefined,
    requester: row.requester,
    state,
    levels,
    currentLevel: Number(row.current_level),
    assignees:
      state === 'awaiting_approval'
        ? levels[Number(row.current_level)]?.approvers ?? []
        : [],
    details: parseJson(row.details, {}),
    result: parseJson<Record<string, unknown> | undefined>(
      row.result,
      undefined,
    ),
    message: row.message ?? undefined,
    expiresAt: row.expires_at ? iso(row.expires_at) : undefined,
    ...(row.change_kind
      ? {
          change: {
            kind: row.change_kind,
            target: row.change_target ?? '',
            digest: row.change_digest ?? '',
            claimedAt: row.claimed_at ? iso(row.claimed_at) : undefined,
            claimedBy: row.claimed_by ?? undefined,
          },
        }
      : {}),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}
