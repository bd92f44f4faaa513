import { useState } from 'react';
import { Link } from '@backstage/core-components';
import { Button, TextField } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import type { ApprovalAsk, ApprovalRequested } from '../api';
import { useT } from './hooks';

/**
 * Shown when a push or rollback touches prod hosts and the person lacks
 * config.push.prod: ask for an approval ticket, or run the same change with
 * an approved one.
 */
export function ApprovalPanel(props: {
  requested?: ApprovalRequested['approvalTicket'];
  busy: boolean;
  onRun: (approval: ApprovalAsk) => void;
}) {
  const t = useT();
  const { requested, busy, onRun } = props;
  const [ticket, setTicket] = useState(
    requested ? String(requested.ticketId) : '',
  );
  const ticketId = Number(ticket);
  return (
    <Alert
      severity="warning"
      data-testid="config-approval"
      style={{ marginTop: 8 }}
    >
      <div>{t('approval.required')}</div>
      {requested && (
        <div style={{ marginTop: 8 }}>
          {t('approval.requested', {
            id: requested.ticketId,
            approvers: requested.approvers.join(', '),
          })}{' '}
          <Link to={requested.url}>
            {t('approval.open', { id: requested.ticketId })}
          </Link>
        </div>
      )}
      <div
        style={{ marginTop: 8, display: 'flex', gap: 8, alignItems: 'center' }}
      >
        {!requested && (
          <Button
            variant="outlined"
            color="primary"
            disabled={busy}
            onClick={() => onRun({ requestApproval: true })}
          >
            {t('approval.request')}
          </Button>
        )}
        <TextField
          id="config-approval-ticket"
          size="small"
          type="number"
          label={t('approval.ticket')}
          value={ticket}
          onChange={e => setTicket(e.target.value)}
          inputProps={{ min: 1 }}
        />
        <Button
          variant="contained"
          color="primary"
          disabled={busy || !Number.isInteger(ticketId) || ticketId < 1}
          onClick={() => onRun({ approvalTicket: ticketId })}
        >
          {t('approval.run')}
        </Button>
      </div>
    </Alert>
  );
}
