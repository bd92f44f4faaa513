import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import {
  DefaultApiClient,
  type Operations,
  type State,
  type Ticket,
  type TicketComment,
  type TicketDetail,
  type TicketPage,
} from '../schema/openapi.client.generated';

export type {
  Level,
  Ticket,
  TicketChange,
  TicketComment,
  TicketDecision,
  TicketDetail,
  TicketHistoryEntry,
  TicketPage,
} from '../schema/openapi.client.generated';

export type TicketState = State;

export { TICKET_STATES } from '@opsdeck/plugin-tickets-common';

type ListQuery = NonNullable<Operations['listTickets']['request']['query']>;

export type TicketView = NonNullable<ListQuery['view']>;

/**
 * Talks to the tickets backend (`/api/tickets`) through the generated client
 * (schema/openapi.client.generated.ts); it builds no URL and sends no request
 * itself.
 */
export class TicketsClient {
  private readonly api: DefaultApiClient;

  constructor(discoveryApi: DiscoveryApi, fetchApi: FetchApi) {
    this.api = new DefaultApiClient({ discoveryApi, fetchApi });
  }

  list(query: {
    view: TicketView;
    state?: TicketState;
    q?: string;
    limit?: number;
    offset?: number;
  }): Promise<TicketPage> {
    return this.api.listTickets({
      query: { ...query, q: query.q?.trim() || undefined },
    });
  }

  get(id: number): Promise<TicketDetail> {
    return this.api.getTicket({ path: { id } });
  }

  decide(
    id: number,
    decision: 'approve' | 'reject',
    comment?: string,
  ): Promise<Ticket> {
    return this.api.decideTicket({
      path: { id },
      body: { decision, ...(comment ? { comment } : {}) },
    });
  }

  comment(id: number, body: string): Promise<TicketComment> {
    return this.api.commentTicket({ path: { id }, body: { body } });
  }
}
