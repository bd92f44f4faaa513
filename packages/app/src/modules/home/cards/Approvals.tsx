import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  sqlChangeApprovePermission,
  ticketReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { useLoad } from '../useLoad';
import { useWorkbenchClients } from '../clients';
import { workbenchTranslationRef } from '../translation';
import { CardState, LinkList, shortRef } from './common';

/** Tickets and SQL changes waiting for the signed-in person's decision. */
export function ApprovalsCard() {
  const { t } = useTranslationRef(workbenchTranslationRef);
  const clients = useWorkbenchClients();
  const tickets = usePermission({ permission: ticketReadPermission });
  const sql = usePermission({ permission: sqlChangeApprovePermission });
  const data = useLoad(async () => {
    if (tickets.loading || sql.loading) return undefined;
    const [waitingTickets, waitingChanges] = await Promise.all([
      tickets.allowed
        ? clients.tickets.list({ view: 'inbox', limit: 10 })
        : undefined,
      sql.allowed ? clients.sql.changesWaitingForMe() : undefined,
    ]);
    return { waitingTickets, waitingChanges };
  }, [clients, tickets.loading, tickets.allowed, sql.loading, sql.allowed]);
  const value = data.value;
  const nothing =
    value &&
    (value.waitingTickets?.total ?? 0) === 0 &&
    (value.waitingChanges?.length ?? 0) === 0;
  return (
    <CardState loading={data.loading || !value} error={data.error}>
      {nothing ? (
        <LinkList
          testId="workbench-approvals-none"
          empty={t('approvals.none')}
          items={[]}
        />
      ) : null}
      {!nothing && value?.waitingTickets ? (
        <LinkList
          testId="workbench-approvals-tickets"
          label={t('approvals.tickets')}
          empty={t('approvals.none')}
          items={value.waitingTickets.items.map(ticket => ({
            key: String(ticket.id),
            to: `/tickets/${ticket.id}`,
            primary: `#${ticket.id} ${ticket.title}`,
            secondary: t('approvals.by', { who: shortRef(ticket.requester) }),
          }))}
        />
      ) : null}
      {!nothing && value?.waitingChanges ? (
        <LinkList
          testId="workbench-approvals-sql"
          label={t('approvals.sql')}
          empty={t('approvals.none')}
          items={value.waitingChanges.slice(0, 10).map(change => ({
            key: change.id,
            to: `/sql?change=${change.id}`,
            primary: change.title,
            secondary: `${shortRef(change.instanceRef)} · ${t('approvals.by', {
              who: shortRef(change.submitter),
            })}`,
          }))}
        />
      ) : null}
    </CardState>
  );
}
