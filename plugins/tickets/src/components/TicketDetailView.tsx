import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { Link, Progress } from '@backstage/core-components';
import {
  Box,
  Button,
  Card,
  CardContent,
  Grid,
  List,
  ListItem,
  ListItemText,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import type { TicketDetail } from '../api/TicketsClient';
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
import {
  forbiddenPermissionName,
  NotAllowed,
} from '@opsdeck/plugin-opsdeck-common/react';

function Field(props: { label: string; children: React.ReactNode }) {
  return (
    <Box mb={1}>
      <Typography variant="caption" color="textSecondary">
        {props.label}
      </Typography>
      <Typography component="div">{props.children}</Typography>
    </Box>
  );
}

/** What a change approval approves: kind, target, digest, the change itself, its use. */
function ChangeCard({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslationRef(ticketsTranslationRef);
  const change = ticket.change!;
  let kind = change.kind;
  if (kind === 'config-release') kind = t('change.kindConfig');
  if (kind === 'kubernetes-action') kind = t('change.kindKube');
  return (
    <Box mt={2}>
      <Card data-testid="ticket-change">
        <CardContent>
          <Typography variant="h6">{t('change.title')}</Typography>
          <Field label={t('change.kind')}>{kind}</Field>
          <Field label={t('change.target')}>
            <code>{change.target}</code>
          </Field>
          <Field label={t('change.digest')}>
            <code>{change.digest}</code>
          </Field>
          <pre
            data-testid="ticket-change-json"
            style={{ fontSize: 12, whiteSpace: 'pre-wrap', margin: 0 }}
          >
            {JSON.stringify(ticket.details.change ?? null, null, 2)}
          </pre>
          <Typography variant="body2" color="textSecondary">
            {change.claimedAt
              ? t('change.used', {
                  who: shortRef(change.claimedBy ?? ''),
                  time: formatDateTime(change.claimedAt),
                })
              : t('change.notUsed')}
          </Typography>
        </CardContent>
      </Card>
    </Box>
  );
}

/** One ticket: what is asked, approve/reject, comments and history. */
export function TicketDetailView({ id }: { id: number }) {
  const { t } = useTranslationRef(ticketsTranslationRef);
  const client = useTicketsClient();
  const stateLabel = useStateLabel();
  const {
    value: ticket,
    loading,
    error,
    retry,
  } = useAsyncRetry(() => client.get(id), [client, id]);
  const [decisionComment, setDecisionComment] = useState('');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string>();
  const [notice, setNotice] = useState<string>();

  async function run(action: () => Promise<unknown>, done?: string) {
    setBusy(true);
    setActionError(undefined);
    setNotice(undefined);
    try {
      await action();
      if (done) setNotice(done);
      retry();
    } catch (e) {
      setActionError(serverErrorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  if (loading && !ticket) return <Progress />;
  if (error) {
    const status = errorStatus(error);
    let text: string = t('errors.generic', {
      message: serverErrorMessage(error),
    });
    if (status === 404) text = t('errors.notFound');
    if (status === 403) {
      return (
        <NotAllowed
          permission={forbiddenPermissionName(error) ?? ticketReadPermission}
        />
      );
    }
    return <Alert severity="error">{text}</Alert>;
  }
  if (!ticket) return null;
  // A confirmation step (opsdeck:ticket:confirm): "Confirm" / "Not confirmed".
  const confirming =
    ticket.levels[ticket.currentLevel]?.kind === 'confirmation';

  return (
    <Box>
      <Box mb={2}>
        <Link to="/tickets">{t('detail.back')}</Link>
      </Box>
      <Typography variant="h5" component="h2" gutterBottom>
        {t('detail.heading', { id: String(ticket.id), title: ticket.title })}
      </Typography>
      {notice && <Alert severity="success">{notice}</Alert>}
      {actionError && <Alert severity="error">{actionError}</Alert>}
      <Grid container spacing={2}>
        <Grid item xs={12} md={6}>
          <Card>
            <CardContent>
              <Field label={t('detail.state')}>
                <StateChip state={ticket.state} />
              </Field>
              <Field label={t('detail.requester')}>
                {shortRef(ticket.requester)}
              </Field>
              {ticket.state === 'awaiting_approval' && (
                <Field label={t('detail.waitingFor')}>
                  {ticket.assignees.join(', ')} (
                  {t('detail.level', {
                    level: String(ticket.currentLevel + 1),
                    levels: String(ticket.levels.length),
                  })}
                  )
                </Field>
              )}
              {ticket.expiresAt && ticket.state === 'awaiting_approval' && (
                <Field label={t('detail.expires')}>
                  {formatDateTime(ticket.expiresAt)}
                </Field>
              )}
              {ticket.summary && (
                <Field label={t('detail.details')}>{ticket.summary}</Field>
              )}
              <Field label={t('detail.details')}>
                <dl style={{ margin: 0 }} data-testid="ticket-details">
                  {Object.entries(ticket.details)
                    // a change approval's change is shown whole below
                    .filter(([key]) => !(ticket.change && key === 'change'))
                    .map(([key, value]) => (
                      <Box key={key} display="flex" style={{ gap: 8 }}>
                        <dt>{key}:</dt>
                        <dd style={{ margin: 0 }}>
                          {value !== null && typeof value === 'object'
                            ? JSON.stringify(value)
                            : String(value)}
                        </dd>
                      </Box>
                    ))}
                </dl>
              </Field>
              {ticket.message && (
                <Field label={t('detail.outcome')}>
                  <span data-testid="ticket-message">{ticket.message}</span>
                </Field>
              )}
              {ticket.taskId && (
                <Field label={t('detail.task')}>
                  <Link to={`/create/tasks/${ticket.taskId}`}>
                    {ticket.taskId}
                  </Link>
                </Field>
              )}
            </CardContent>
          </Card>
          {ticket.change && <ChangeCard ticket={ticket} />}
          {!ticket.canDecide && ticket.state === 'awaiting_approval' && (
            <Box mt={2}>
              <Alert severity="info" data-testid="ticket-not-approver">
                {t('detail.notApprover')}
              </Alert>
            </Box>
          )}
          {ticket.canDecide && (
            <Box mt={2}>
              <Card>
                <CardContent>
                  <TextField
                    id="ticket-decision-comment"
                    fullWidth
                    multiline
                    minRows={2}
                    label={t('detail.decisionComment')}
                    value={decisionComment}
                    onChange={e => setDecisionComment(e.target.value)}
                  />
                  <Box mt={2} display="flex" style={{ gap: 8 }}>
                    <Button
                      variant="contained"
                      color="primary"
                      disabled={busy}
                      onClick={() =>
                        run(
                          () =>
                            client.decide(
                              ticket.id,
                              'approve',
                              decisionComment.trim(),
                            ),
                          t('detail.decided'),
                        )
                      }
                    >
                      {confirming ? t('detail.confirm') : t('detail.approve')}
                    </Button>
                    <Button
                      variant="outlined"
                      color="secondary"
                      disabled={busy}
                      onClick={() =>
                        run(
                          () =>
                            client.decide(
                              ticket.id,
                              'reject',
                              decisionComment.trim(),
                            ),
                          t('detail.decided'),
                        )
                      }
                    >
                      {confirming
                        ? t('detail.notConfirmed')
                        : t('detail.reject')}
                    </Button>
                  </Box>
                </CardContent>
              </Card>
            </Box>
          )}
        </Grid>
        <Grid item xs={12} md={6}>
          <Card>
            <CardContent>
              <Typography variant="h6">{t('detail.decisions')}</Typography>
              {ticket.decisions.length === 0 && (
                <Typography>{t('detail.noDecisions')}</Typography>
              )}
              <List dense>
                {ticket.decisions.map(d => (
                  <ListItem key={d.level}>
                    <ListItemText
                      primary={`${shortRef(d.actor)}: ${stateLabel(
                        d.decision,
                      )}`}
                      secondary={d.comment}
                    />
                  </ListItem>
                ))}
              </List>
              <Typography variant="h6">{t('detail.comments')}</Typography>
              {ticket.comments.length === 0 && (
                <Typography>{t('detail.noComments')}</Typography>
              )}
              <List dense>
                {ticket.comments.map(c => (
                  <ListItem key={c.id}>
                    <ListItemText
                      primary={c.body}
                      secondary={`${shortRef(c.author)} · ${formatDateTime(
                        c.createdAt,
                      )}`}
                    />
                  </ListItem>
                ))}
              </List>
              <TextField
                id="ticket-new-comment"
                fullWidth
                multiline
                minRows={2}
                label={t('detail.addComment')}
                value={comment}
                onChange={e => setComment(e.target.value)}
              />
              <Box mt={1}>
                <Button
                  variant="outlined"
                  disabled={busy || !comment.trim()}
                  onClick={() =>
                    run(async () => {
                      await client.comment(ticket.id, comment.trim());
                      setComment('');
                    })
                  }
                >
                  {t('detail.post')}
                </Button>
              </Box>
              <Box mt={2}>
                <Typography variant="h6">{t('detail.history')}</Typography>
                <List dense aria-label={t('detail.history')}>
                  {ticket.history.map(h => (
                    <ListItem key={h.id}>
                      <ListItemText
                        primary={`${stateLabel(h.toState)}${
                          h.message ? ` — ${h.message}` : ''
                        }`}
                        secondary={`${shortRef(h.actor)} · ${formatDateTime(
                          h.createdAt,
                        )}`}
                      />
                    </ListItem>
                  ))}
                </List>
              </Box>
            </CardContent>
          </Card>
        </Grid>
      </Grid>
    </Box>
  );
}
