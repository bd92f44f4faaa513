import { useState } from 'react';
import { Link } from '@backstage/core-components';
import { Button, TextField } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import type { ApprovalAsk, ApprovalTicket } from '../api';
import { useT } from './hooks';

/**
 * Shown when an action on a prod cluster answers that it needs an approval
 * (the person lacks opsdeck.kubernetes.prod.change): ask for an approval
 * ticket, or run the same action with an approved one. The Config page's
 * panel, for workloads.
 */
export function ApprovalPanel(props: {
  message: string;
  requested?: ApprovalTicket;
  busy: boolean;
  onRun: (approval: ApprovalAsk) => void;
}) {
  const t = useT();
  const { message, requested, busy, onRun } = props;
  const [ticket, setTicket] = useState(
    requested ? String(requested.ticketId) : '',
  );
  const ticketId = Number(ticket);
  return (
    <Alert
      severity="warning"
      data-testid="kubernetes-approval"
      style={{ marginTop: 8 }}
    >
      <div>{t('approval.required', { message })}</div>
      {requested && (
        <div style={{ marginTop: 8 }}>
          {t('approval.requested', {
            id: String(requested.ticketId),
            approvers: requested.approvers.join(', '),
          })}{' '}
          <Link to={requested.url}>
            {t('approval.open', { id: String(requested.ticketId) })}
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
          id="kubernetes-approval-ticket"
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
