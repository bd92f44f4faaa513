import { useCallback, useEffect, useState } from 'react';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  coreApis,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  sqlChangeApprovePermission,
  sqlChangeExecutePermission,
} from '@opsdeck/plugin-opsdeck-common';
import useAsync from 'react-use/esm/useAsync';
import {
  Box,
  Button,
  Chip,
  Link,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import type {
  Change,
  ChangeSummary,
  Instance,
  SqlClient,
} from '../api/SqlClient';
import { sqlTranslationRef } from '../translation/translation';
import { ErrorAlert, FindingsList } from './common';
import { ConfirmProdDialog } from './ConfirmProdDialog';
import { formatDateTime } from '@opsdeck/plugin-opsdeck-common';

const PROD = ['prod', 'production'];

function useStatusLabel() {
  const { t } = useTranslationRef(sqlTranslationRef);
  return (status: string) =>
    (t as unknown as (key: string) => string)(`status.${status}`);
}

/** The change list, or one change with its review, approvals and runs. */
export function ChangesTab(props: {
  client: SqlClient;
  openId?: string;
  onOpen(id: string | undefined): void;
}) {
  const { t } = useTranslationRef(sqlTranslationRef);
  const statusLabel = useStatusLabel();
  const [changes, setChanges] = useState<ChangeSummary[]>();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    if (!props.openId) props.client.changes().then(setChanges, setError);
  }, [props.client, props.openId]);
  if (props.openId) {
    return (
      <ChangeDetail
        client={props.client}
        id={props.openId}
        onBack={() => props.onOpen(undefined)}
      />
    );
  }
  return (
    <Box mt={2}>
      <ErrorAlert error={error} />
      <Table size="small" aria-label={t('tabs.changes')}>
        <TableHead>
          <TableRow>
            <TableCell>{t('fields.title')}</TableCell>
            <TableCell>{t('fields.instance')}</TableCell>
            <TableCell>{t('changes.status')}</TableCell>
            <TableCell>{t('changes.submitter')}</TableCell>
            <TableCell>{t('changes.findings')}</TableCell>
            <TableCell>{t('changes.created')}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {changes?.length === 0 && (
            <TableRow>
              <TableCell colSpan={6}>{t('changes.empty')}</TableCell>
            </TableRow>
          )}
          {changes?.map(c => (
            <TableRow key={c.id}>
              <TableCell>
                <Link component="button" onClick={() => props.onOpen(c.id)}>
                  {c.title}
                </Link>
              </TableCell>
              <TableCell>{c.instanceRef}</TableCell>
              <TableCell>{statusLabel(c.status)}</TableCell>
              <TableCell>{c.submitter}</TableCell>
              <TableCell>
                {t('changes.counts', {
                  errors: String(c.errors),
                  warnings: String(c.warnings),
                })}
              </TableCell>
              <TableCell>{formatDateTime(c.createdAt)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

function ChangeDetail(props: {
  client: SqlClient;
  id: string;
  onBack(): void;
}) {
  const { t } = useTranslationRef(sqlTranslationRef);
  const statusLabel = useStatusLabel();
  const [change, setChange] = useState<Change>();
  const [error, setError] = useState<Error>();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [restored, setRestored] = useState<number>();
  const [instance, setInstance] = useState<Instance>();
  /** An action waiting for the instance name to be typed (production). */
  const [pending, setPending] = useState<{
    action: string;
    run(confirm?: string): void;
  }>();
  const load = useCallback(
    () => props.client.change(props.id).then(setChange, setError),
    [props.client, props.id],
  );
  useEffect(() => {
    load();
  }, [load]);
  const canApprove = usePermission({
    permission: sqlChangeApprovePermission,
  }).allowed;
  const canExecute = usePermission({
    permission: sqlChangeExecutePermission,
  }).allowed;
  const identityApi = useApi(coreApis.identity);
  const me = useAsync(() => identityApi.getBackstageIdentity(), [identityApi])
    .value?.userEntityRef;
  const instanceRef = change?.instanceRef;
  useEffect(() => {
    if (!instanceRef) return;
    props.client.instances().then(
      list => setInstance(list.find(i => i.ref === instanceRef)),
      () => undefined,
    );
  }, [props.client, instanceRef]);
  // until the instance is known (or if it cannot be read) an action asks as
  // for production: a click before the lookup answers must not skip the dialog
  const isProd =
    !instance ||
    PROD.includes(String(instance.environment ?? '').toLowerCase());
  /** Runs `run` now, or after the name of a production instance is typed. */
  const guarded = (action: string, run: (confirm?: string) => void) =>
    isProd ? setPending({ action, run }) : run();

  const act = async (fn: () => Promise<Change>) => {
    setBusy(true);
    setError(undefined);
    try {
      setChange(await fn());
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  if (!change) return <ErrorAlert error={error} />;
  const approvedLevels = change.approvals.filter(
    a => a.decision === 'approved',
  ).length;
  // the backend refuses a decision on one's own change: say so, do not offer it
  const own = me !== undefined && me === change.submitter;
  return (
    <Box mt={2}>
      <Button size="small" onClick={props.onBack}>
        {t('actions.back')}
      </Button>
      <Typography variant="h5">{change.title}</Typography>
      <Typography variant="body2">
        {change.instanceRef} / {change.database ?? '-'} ·{' '}
        {t('changes.submitter')}: {change.submitter} ·{' '}
        <Chip size="small" label={statusLabel(change.status)} />
      </Typography>
      {change.reason && (
        <Typography variant="body2">
          {t('fields.reason')}: {change.reason}
        </Typography>
      )}
      <Box
        component="pre"
        p={1}
        bgcolor="action.hover"
        style={{ whiteSpace: 'pre-wrap' }}
      >
        {change.sql}
      </Box>
      <Typography variant="h6">{t('changes.findings')}</Typography>
      <FindingsList review={change.review} />
      <Typography variant="h6">{t('changes.approvals')}</Typography>
      {change.approvals.map(a => (
        <Typography key={a.level + a.user} variant="body2">
          {t('changes.approvalLine', {
            level: String(a.level),
            group: a.group,
            decision: a.decision,
            user: a.user,
          })}
          {a.comment ? ` — ${a.comment}` : ''}
        </Typography>
      ))}
      {change.status === 'pending' && (
        <Typography variant="body2">
          {t('changes.waiting', {
            level: String(approvedLevels + 1),
            group: change.approverGroups[approvedLevels],
          })}
        </Typography>
      )}
      {change.status === 'pending' && canApprove && own && (
        <Typography variant="body2" color="textSecondary">
          {t('changes.ownChange')}
        </Typography>
      )}
      {change.status === 'pending' && canApprove && !own && (
        <>
          <TextField
            id="sql-change-comment"
            label={t('fields.comment')}
            value={comment}
            onChange={e => setComment(e.target.value)}
          />
          <Box mt={1}>
            <Button
              variant="contained"
              color="primary"
              disabled={busy}
              onClick={() =>
                act(() =>
                  props.client.decide(
                    change.id,
                    'approved',
                    comment || undefined,
                  ),
                )
              }
            >
              {t('actions.approve')}
            </Button>{' '}
            <Button
              variant="outlined"
              disabled={busy}
              onClick={() =>
                act(() =>
                  props.client.decide(
                    change.id,
                    'rejected',
                    comment || undefined,
                  ),
                )
              }
            >
              {t('actions.reject')}
            </Button>
          </Box>
        </>
      )}
      {canExecute && ['approved', 'scheduled'].includes(change.status) && (
        <ExecuteControls
          change={change}
          busy={busy}
          onExecute={at =>
            guarded(
              at ? t('actions.schedule') : t('actions.execute'),
              confirm =>
                act(() => props.client.execute(change.id, at, confirm)),
            )
          }
          onUnschedule={() => act(() => props.client.unschedule(change.id))}
        />
      )}
      {change.runs.length > 0 && (
        <>
          <Typography variant="h6">{t('changes.statements')}</Typography>
          <Table size="small" aria-label={t('changes.statements')}>
            <TableBody>
              {change.runs.map(r => (
                <TableRow key={r.index}>
                  <TableCell>#{r.index + 1}</TableCell>
                  <TableCell>
                    <code>{change.review.statements[r.index]?.sql}</code>
                  </TableCell>
                  <TableCell>{r.status}</TableCell>
                  <TableCell>
                    {r.error ??
                      t('changes.affected', {
                        rows: String(r.affectedRows ?? 0),
                        ms: String(r.durationMs ?? 0),
                      })}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {change.runs.some(r => r.rollbackSql) && (
            <>
              <Typography variant="subtitle2">
                {t('changes.rollbackSql')}
              </Typography>
              <Box
                component="pre"
                p={1}
                bgcolor="action.hover"
                style={{
                  whiteSpace: 'pre-wrap',
                  maxHeight: 240,
                  overflow: 'auto',
                }}
              >
                {change.runs
                  .map(r => r.rollbackSql)
                  .filter(Boolean)
                  .join('\n')}
              </Box>
            </>
          )}
        </>
      )}
      {['finished', 'failed'].includes(change.status) &&
        change.runs.some(r => r.rollbackSql) && (
          <Button
            variant="outlined"
            color="secondary"
            disabled={busy}
            onClick={() =>
              guarded(t('actions.rollback'), confirm =>
                act(async () => {
                  const r = await props.client.rollback(change.id, confirm);
                  setRestored(r.restoredRows);
                  return r.change;
                }),
              )
            }
          >
            {t('actions.rollback')}
          </Button>
        )}
      {restored !== undefined && (
        <Alert severity="success">
          {t('changes.restored', { rows: String(restored) })}
        </Alert>
      )}
      {change.error && <Alert severity="error">{change.error}</Alert>}
      <ErrorAlert error={error} />
      {change.instanceRef && (
        <ConfirmProdDialog
          instanceName={
            instance?.name ?? parseEntityRef(change.instanceRef).name
          }
          action={pending?.action ?? ''}
          open={Boolean(pending)}
          onCancel={() => setPending(undefined)}
          onConfirm={typed => {
            const run = pending?.run;
            setPending(undefined);
            run?.(typed);
          }}
        />
      )}
    </Box>
  );
}

/** "Execute now", or a date-time at which the scheduler runs the change. */
function ExecuteControls(props: {
  change: Change;
  busy: boolean;
  onExecute(at?: string): void;
  onUnschedule(): void;
}) {
  const { t } = useTranslationRef(sqlTranslationRef);
  const [at, setAt] = useState('');
  const { change } = props;
  return (
    <Box mt={1}>
      {change.status === 'scheduled' && change.scheduledAt && (
        <Alert
          severity="info"
          action={
            <Button
              size="small"
              variant="outlined"
              disabled={props.busy}
              onClick={() => props.onUnschedule()}
            >
              {t('actions.unschedule')}
            </Button>
          }
        >
          {t('changes.scheduledFor', {
            at: formatDateTime(change.scheduledAt),
            user: change.scheduledBy ?? '',
          })}
        </Alert>
      )}
      <Box display="flex" alignItems="center" mt={1}>
        <Button
          variant="contained"
          color="primary"
          disabled={props.busy}
          onClick={() => props.onExecute()}
        >
          {t('actions.execute')}
        </Button>
        <TextField
          id="sql-change-run-at"
          type="datetime-local"
          label={t('fields.runAt')}
          value={at}
          onChange={e => setAt(e.target.value)}
          InputLabelProps={{ shrink: true }}
          style={{ marginLeft: 24, marginRight: 8 }}
        />
        <Button
          variant="outlined"
          disabled={props.busy || !at}
          // datetime-local is the browser's local time; the API takes UTC
          onClick={() => props.onExecute(new Date(at).toISOString())}
        >
          {t('actions.schedule')}
        </Button>
      </Box>
    </Box>
  );
}
