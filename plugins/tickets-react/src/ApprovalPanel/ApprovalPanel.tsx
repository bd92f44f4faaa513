import { type ReactNode, useState } from 'react';
import { Link } from '@backstage/core-components';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { Button, TextField } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { ticketsReactTranslationRef } from '../translation/translation';
import type { ApprovalAsk, ChangeApprovalTicket } from '../types';

/** Props of {@link ApprovalPanel}. */
export type ApprovalPanelProps = {
  /**
   * Why the change needs an approval, in the feature's own words (e.g.
   * "This change touches prod hosts: …").
   */
  reason: ReactNode;
  /** The ticket opened for this change, once asked for. */
  requested?: ChangeApprovalTicket;
  /** A request is under way: the buttons wait. */
  busy: boolean;
  /**
   * Repeat the change with `{ requestApproval: true }` (ask) or
   * `{ approvalTicket }` (run with an approved ticket).
   */
  onRun: (ask: ApprovalAsk) => void;
  /**
   * Names the panel: `data-testid="<idPrefix>-approval"`, the ticket field
   * `id="<idPrefix>-approval-ticket"`.
   */
  idPrefix: string;
  /** The run button's label when the feature names its change (e.g. "Push with approved ticket"). */
  runLabel?: string;
};

/**
 * Shown when a gated change answered 403 `approvalRequired` (the person may
 * not make it alone, e.g. a prod change without the prod permission): ask
 * for an approval ticket for exactly this change, see the opened ticket
 * (link and approvers), or run the same change with an approved ticket
 * (prefilled with the one just opened). Give it a `key` per change so a
 * new change starts empty.
 */
export function ApprovalPanel(props: ApprovalPanelProps) {
  const { t } = useTranslationRef(ticketsReactTranslationRef);
  const { reason, requested, busy, onRun, idPrefix, runLabel } = props;
  const [ticket, setTicket] = useState(
    requested ? String(requested.ticketId) : '',
  );
  const ticketId = Number(ticket);
  return (
    <Alert
      severity="warning"
      data-testid={`${idPrefix}-approval`}
      style={{ marginTop: 8 }}
    >
      <div>{reason}</div>
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
          id={`${idPrefix}-approval-ticket`}
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
          {runLabel ?? t('approval.run')}
        </Button>
      </div>
    </Alert>
  );
}
