import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { Link } from '@backstage/core-components';
import { Box } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useEffect, useState } from 'react';
import { matchPath, useLocation } from 'react-router-dom';
import type { Ticket, TicketsClient } from '../api/TicketsClient';
import { ticketsTranslationRef } from '../translation/translation';
import { useTicketsClient } from './common';

const POLL_MS = 2000;
const MAX_POLLS = 60;

/** The caller's ticket that the scaffolder task `taskId` opened, if any yet. */
export async function findTaskTicket(
  client: Pick<TicketsClient, 'list'>,
  taskId: string,
): Promise<Ticket | undefined> {
  const { items } = await client.list({ view: 'mine', limit: 20 });
  return items.find(ticket => ticket.taskId === taskId);
}

/**
 * On a template's task page (/create/tasks/:taskId), a banner linking to the
 * ticket the task opened: a request template waits for approval, so its
 * output links appear only at the end, and the ticket is where it is decided.
 */
export function TaskTicketLink() {
  const { t } = useTranslationRef(ticketsTranslationRef);
  const client = useTicketsClient();
  const { pathname } = useLocation();
  const taskId = matchPath('/create/tasks/:taskId', pathname)?.params.taskId;
  const [ticket, setTicket] = useState<Ticket>();

  useEffect(() => {
    setTicket(undefined);
    if (!taskId) return undefined;
    let polls = 0;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const look = async () => {
      polls++;
      const found = await findTaskTicket(client, taskId).catch(() => undefined);
      if (stopped) return;
      if (found) setTicket(found);
      else if (polls < MAX_POLLS) timer = setTimeout(look, POLL_MS);
    };
    look();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [client, taskId]);

  if (!taskId || !ticket) return null;
  return (
    <Box
      position="fixed"
      bottom={16}
      right={16}
      zIndex={1300}
      maxWidth={480}
      data-testid="task-ticket-link"
    >
      <Alert
        severity="info"
        variant="filled"
        action={
          <Link to={`/tickets/${ticket.id}`} style={{ color: 'inherit' }}>
            <strong>{t('task.open')}</strong>
          </Link>
        }
      >
        {t('task.created', { id: String(ticket.id), title: ticket.title })}
      </Alert>
    </Box>
  );
}
