import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { formatDateTime } from '@opsdeck/plugin-opsdeck-common';
import { useLoad } from '../useLoad';
import { useWorkbenchClients } from '../clients';
import { workbenchTranslationRef } from '../translation';
import { CardState, LinkList, MoreLink } from './common';

const CLOSED = new Set(['done', 'rejected', 'failed']);

/** The signed-in person's tickets that are not finished yet. */
export function TicketsCard() {
  const { t } = useTranslationRef(workbenchTranslationRef);
  const clients = useWorkbenchClients();
  const data = useLoad(async () => {
    const { items } = await clients.tickets.list({ view: 'mine', limit: 50 });
    return items.filter(ticket => !CLOSED.has(ticket.state)).slice(0, 8);
  }, [clients]);
  return (
    <CardState loading={data.loading || !data.value} error={data.error}>
      <LinkList
        testId="workbench-tickets"
        empty={t('tickets.none')}
        items={(data.value ?? []).map(ticket => ({
          key: String(ticket.id),
          to: `/tickets/${ticket.id}`,
          primary: `#${ticket.id} ${ticket.title}`,
          secondary: `${t(`tickets.state.${ticket.state}`)} · ${formatDateTime(
            ticket.updatedAt,
          )}`,
        }))}
      />
      <MoreLink to="/tickets" />
    </CardState>
  );
}
