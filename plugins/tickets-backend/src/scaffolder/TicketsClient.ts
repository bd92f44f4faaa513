import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { FulfilmentStep, NewTicket, Ticket, TicketDetail } from '../model';

/**
 * The scaffolder actions' view of the tickets plugin, called with the
 * scaffolder's own service credentials: the workflow routes accept services
 * only, so users cannot move their own tickets.
 */
export class TicketsClient {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
  ) {}

  /** A new ticket as the wire carries it: `expiresAt` as an ISO string, no change approval. */
  async submit(
    body: Omit<NewTicket, 'expiresAt' | 'change'> & { expiresAt?: string },
  ): Promise<Ticket> {
    return this.request<Ticket>('/workflow/tickets', {
      method: 'POST',
      body: JSON.stringify(body),
    });
  }

  async poll(id: number): Promise<TicketDetail> {
    return this.request<TicketDetail>(`/workflow/tickets/${id}`, {
      method: 'GET',
    });
  }

  async setState(
    id: number,
    state: 'fulfilling' | 'done' | 'failed',
    message?: string,
    result?: Record<string, unknown>,
  ): Promise<Ticket> {
    return this.request<Ticket>(`/workflow/tickets/${id}/state`, {
      method: 'POST',
      body: JSON.stringify({ state, message, result }),
    });
  }

  /**
   * Starts a fulfilment step, or finds it (idempotency key: ticket, step,
   * target): a done step carries what it made.
   */
  async beginStep(
    id: number,
    step: string,
    target: string,
  ): Promise<FulfilmentStep> {
    return this.request<FulfilmentStep>(`/workflow/tickets/${id}/steps`, {
      method: 'POST',
      body: JSON.stringify({ step, target }),
    });
  }

  /** Records what a fulfilment step made. */
  async finishStep(
    id: number,
    step: string,
    target: string,
    result: Record<string, unknown>,
  ): Promise<FulfilmentStep> {
    return this.request<FulfilmentStep>(`/workflow/tickets/${id}/steps/done`, {
      method: 'POST',
      body: JSON.stringify({ step, target, result }),
    });
  }

  private async request<T>(path: string, init: RequestInit): Promise<T> {
    const [baseUrl, { token }] = await Promise.all([
      this.discovery.getBaseUrl('tickets'),
      this.auth.getPluginRequestToken({
        onBehalfOf: await this.auth.getOwnServiceCredentials(),
        targetPluginId: 'tickets',
      }),
    ]);
    const response = await fetch(`${baseUrl}${path}`, {
      ...init,
      headers: {
        ...(init.body ? { 'Content-Type': 'application/json' } : {}),
        Authorization: `Bearer ${token}`,
      },
    });
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }
}
