import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';

export type TicketState =
  | 'submitted'
  | 'awaiting_approval'
  | 'approved'
  | 'rejected'
  | 'fulfilling'
  | 'done'
  | 'failed';

export const TICKET_STATES: TicketState[] = [
  'submitted',
  'awaiting_approval',
  'approved',
  'rejected',
  'fulfilling',
  'done',
  'failed',
];

export interface Ticket {
  id: number;
  title: string;
  summary?: string;
  templateRef?: string;
  taskId?: string;
  requester: string;
  state: TicketState;
  levels: {
    approvers: string[];
    label?: string;
    kind?: 'approval' | 'confirmation';
  }[];
  currentLevel: number;
  assignees: string[];
  details: Record<string, unknown>;
  result?: Record<string, unknown>;
  message?: string;
  expiresAt?: string;
  /** A change approval (a prod config release or Kubernetes action). */
  change?: {
    kind: string;
    target: string;
    digest: string;
    claimedAt?: string;
    claimedBy?: string;
  };
  createdAt: string;
  updatedAt: string;
}

export interface TicketDetail extends Ticket {
  canDecide: boolean;
  decisions: {
    level: number;
    actor: string;
    decision: 'approved' | 'rejected';
    comment?: string;
    createdAt: string;
  }[];
  comments: { id: number; author: string; body: string; createdAt: string }[];
  history: {
    id: number;
    actor: string;
    fromState?: TicketState;
    toState: TicketState;
    message?: string;
    createdAt: string;
  }[];
}

export type TicketView = 'mine' | 'inbox' | 'all';

/** Talks to the tickets backend (`/api/tickets`). */
export class TicketsClient {
  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {}

  async list(query: {
    view: TicketView;
    state?: string;
    q?: string;
    limit?: number;
    offset?: number;
  }): Promise<{ items: Ticket[]; total: number }> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && String(value).trim() !== '') {
        params.set(key, String(value).trim());
      }
    }
    return this.request(`/tickets?${params}`);
  }

  async get(id: number): Promise<TicketDetail> {
    return this.request(`/tickets/${id}`);
  }

  async decide(
    id: number,
    decision: 'approve' | 'reject',
    comment?: string,
  ): Promise<Ticket> {
    return this.request(`/tickets/${id}/decision`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ decision, ...(comment ? { comment } : {}) }),
    });
  }

  async comment(id: number, body: string): Promise<unknown> {
    return this.request(`/tickets/${id}/comments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ body }),
    });
  }

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('tickets');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }
}
