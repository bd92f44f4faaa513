import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { Link, Progress } from '@backstage/core-components';
import {
  Box,
  MenuItem,
  Paper,
  Tab,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Tabs,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  TICKET_STATES,
  type TicketState,
  type TicketView,
} from '../api/TicketsClient';
import { ticketsTranslationRef } from '../translation/translation';
import {
  errorStatus,
  shortRef,
  StateChip,
  useStateLabel,
  useTicketsClient,
} from './common';
import {
  formatDateTime,
  serverErrorMessage,
  ticketReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { NotAllowed } from '@opsdeck/plugin-opsdeck-common/react';

/** The three lists: my requests, waiting for me, all tickets (with filters). */
export function TicketList() {
  const { t } = useTranslationRef(ticketsTranslationRef);
  const client = useTicketsClient();
  const stateLabel = useStateLabel();
  const tabLabels: Record<TicketView, string> = {
    mine: t('tabs.mine'),
    inbox: t('tabs.inbox'),
    all: t('tabs.all'),
  };
  // Opens on "Waiting for me" when something waits, else on "My requests".
  const [picked, setView] = useState<TicketView>();
  const waiting = useAsync(
    () => client.list({ view: 'inbox', limit: 1 }),
    [client],
  );
  const view: TicketView =
    picked ?? (waiting.value?.total === 0 ? 'mine' : 'inbox');
  const [state, setState] = useState<TicketState>();
  const [q, setQ] = useState('');
  const { value, loading, error } = useAsync(
    async () =>
      waiting.loading && !picked
        ? undefined
        : client.list({
            view,
            state: view === 'all' ? state : undefined,
            q: view === 'all' ? q : undefined,
            limit: 100,
          }),
    [client, view, state, q, waiting.loading],
  );

  return (
    <Box>
      <Tabs
        value={view}
        onChange={(_e, v) => setView(v)}
        indicatorColor="primary"
      >
        <Tab value="mine" label={t('tabs.mine')} />
        <Tab value="inbox" label={t('tabs.inbox')} />
        <Tab value="all" label={t('tabs.all')} />
      </Tabs>
      {view === 'all' && (
        <Box display="flex" style={{ gap: 16 }} my={2}>
          <TextField
            id="tickets-filter-state"
            select
            label={t('filters.state')}
            value={state ?? ''}
            onChange={e =>
              setState(TICKET_STATES.find(s => s === e.target.value))
            }
            style={{ minWidth: 200 }}
          >
            <MenuItem value="">{t('filters.any')}</MenuItem>
            {TICKET_STATES.map(s => (
              <MenuItem key={s} value={s}>
                {stateLabel(s)}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            id="tickets-filter-search"
            label={t('filters.search')}
            placeholder={t('filters.searchPlaceholder')}
            value={q}
            onChange={e => setQ(e.target.value)}
          />
        </Box>
      )}
      {(loading || (waiting.loading && !picked)) && <Progress />}
      {error && errorStatus(error) === 403 && (
        <NotAllowed permission={ticketReadPermission} />
      )}
      {error && errorStatus(error) !== 403 && (
        <Alert severity="error">
          {t('errors.generic', { message: serverErrorMessage(error) })}
        </Alert>
      )}
      {value && (
        <TableContainer component={Paper}>
          <Table size="small" aria-label={tabLabels[view]}>
            <TableHead>
              <TableRow>
                <TableCell>{t('table.id')}</TableCell>
                <TableCell>{t('table.title')}</TableCell>
                <TableCell>{t('table.requester')}</TableCell>
                <TableCell>{t('table.state')}</TableCell>
                <TableCell>{t('table.assignees')}</TableCell>
                <TableCell>{t('table.updated')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {value.items.length === 0 && (
                <TableRow>
                  <TableCell colSpan={6}>{t('table.empty')}</TableCell>
                </TableRow>
              )}
              {value.items.map(ticket => (
                <TableRow key={ticket.id}>
                  <TableCell>
                    <Link to={`/tickets/${ticket.id}`}>#{ticket.id}</Link>
                  </TableCell>
                  <TableCell>
                    <Link to={`/tickets/${ticket.id}`}>{ticket.title}</Link>
                  </TableCell>
                  <TableCell>{shortRef(ticket.requester)}</TableCell>
                  <TableCell>
                    <StateChip state={ticket.state} />
                  </TableCell>
                  <TableCell>
                    {ticket.assignees.map(shortRef).join(', ')}
                  </TableCell>
                  <TableCell>{formatDateTime(ticket.updatedAt)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <Box p={1}>
            <Typography variant="caption">
              {t('table.total', { total: String(value.total) })}
            </Typography>
          </Box>
        </TableContainer>
      )}
    </Box>
  );
}
