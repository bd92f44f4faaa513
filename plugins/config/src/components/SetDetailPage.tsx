import { useEffect, useState } from 'react';
import { Link, Progress } from '@backstage/core-components';
import {
  Button,
  Checkbox,
  FormControlLabel,
  Grid,
  MenuItem,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import type { ConfigVersion } from '@opsdeck/plugin-config-common';
import {
  ApprovalPanel,
  isApprovalRequired,
  type ApprovalAsk,
  type ChangeApprovalTicket,
} from '@opsdeck/plugin-tickets-react';
import { useParams } from 'react-router-dom';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { DriftPanel, PreviewDialog } from './HostPanels';
import { PauseFields, ReleasePanel } from './ReleasePanel';
import { SetFormDialog } from './SetFormDialog';
import { VaultVariable } from './VaultVariable';
import {
  DiffView,
  ErrorAlert,
  formatTime,
  useAbilities,
  useConfigClient,
  useT,
} from './hooks';

/** The template editor: saves the text and variables as a new version. */
function Editor({
  setId,
  latest,
  onSaved,
}: {
  setId: number;
  latest?: ConfigVersion;
  onSaved: () => void;
}) {
  const t = useT();
  const client = useConfigClient();
  const [template, setTemplate] = useState('');
  const [variables, setVariables] = useState('{}');
  const [message, setMessage] = useState('');
  useEffect(() => {
    setTemplate(latest?.template ?? '');
    setVariables(JSON.stringify(latest?.variables ?? {}, null, 2));
  }, [latest]);
  const [state, save] = useAsyncFn(async () => {
    let parsed;
    try {
      parsed = JSON.parse(variables);
    } catch {
      throw new Error(t('editor.badJson'));
    }
    const v = await client.saveVersion(setId, {
      template,
      variables: parsed,
      message,
    });
    setMessage('');
    onSaved();
    return v;
  }, [client, setId, template, variables, message]);
  return (
    <Paper style={{ padding: 16 }}>
      <Typography variant="h6">{t('editor.title')}</Typography>
      <TextField
        id="config-template"
        label={t('editor.template')}
        value={template}
        onChange={e => setTemplate(e.target.value)}
        multiline
        minRows={8}
        fullWidth
        margin="dense"
        variant="outlined"
        inputProps={{
          'data-testid': 'config-template',
          style: { fontFamily: 'monospace' },
        }}
      />
      <TextField
        id="config-variables"
        label={t('editor.variables')}
        value={variables}
        onChange={e => setVariables(e.target.value)}
        multiline
        minRows={3}
        fullWidth
        margin="dense"
        variant="outlined"
        inputProps={{
          'data-testid': 'config-variables',
          style: { fontFamily: 'monospace' },
        }}
      />
      {latest?.clearSecrets && latest.clearSecrets.length > 0 && (
        <Alert severity="warning" data-testid="config-clear-secrets">
          {t('editor.clearSecrets', { names: latest.clearSecrets.join(', ') })}
        </Alert>
      )}
      <VaultVariable variables={variables} onChange={setVariables} />
      <TextField
        id="config-message"
        label={t('editor.message')}
        value={message}
        onChange={e => setMessage(e.target.value)}
        fullWidth
        margin="dense"
      />
      <Button
        variant="contained"
        color="primary"
        disabled={state.loading || !message}
        onClick={() => save()}
      >
        {t('editor.save')}
      </Button>
      {state.error && <ErrorAlert error={state.error} />}
      {state.value && (
        <Alert severity="success">
          {t('editor.saved', { version: state.value.version })}
        </Alert>
      )}
    </Paper>
  );
}

/** Two versions side by side as unified diffs of template and variables. */
function Compare({
  setId,
  versions,
}: {
  setId: number;
  versions: ConfigVersion[];
}) {
  const t = useT();
  const client = useConfigClient();
  const [from, setFrom] = useState<number>();
  const [to, setTo] = useState<number>();
  const [diff, load] = useAsyncFn(
    () => client.diff(setId, from!, to!),
    [client, setId, from, to],
  );
  const pick = (label: string, value: number | undefined, set: any) => (
    <TextField
      select
      label={label}
      value={value ?? ''}
      onChange={e => set(Number(e.target.value))}
      style={{ minWidth: 100, marginRight: 8 }}
    >
      {versions.map(v => (
        <MenuItem key={v.version} value={v.version}>
          v{v.version}
        </MenuItem>
      ))}
    </TextField>
  );
  return (
    <div style={{ marginTop: 16 }}>
      {pick(t('versions.from'), from, setFrom)}
      {pick(t('versions.to'), to, setTo)}
      <Button variant="outlined" disabled={!from || !to} onClick={() => load()}>
        {t('versions.compare')}
      </Button>
      {diff.error && <ErrorAlert error={diff.error} />}
      {diff.value && (
        <>
          <Typography variant="subtitle2">
            {t('versions.templateDiff')}
          </Typography>
          <DiffView diff={diff.value.template} empty={t('versions.noDiff')} />
          <Typography variant="subtitle2">
            {t('versions.variablesDiff')}
          </Typography>
          <DiffView diff={diff.value.variables} empty={t('versions.noDiff')} />
        </>
      )}
    </div>
  );
}

/** One config set: editor, versions, per-host diffs, push, rollback, drift. */
export function SetDetailPage() {
  const t = useT();
  const id = Number(useParams().id);
  const client = useConfigClient();
  const { canEdit, canPush } = useAbilities();
  const [previewOf, setPreviewOf] = useState<number>();
  const [editing, setEditing] = useState(false);
  const [releaseId, setReleaseId] = useState<number>();
  // rolling by default: one host at a time, a failed host stops the rest
  const [batchSize, setBatchSize] = useState(1);
  // pauses between batches (a ticket approves them with the rest)
  const [pauseSeconds, setPauseSeconds] = useState(0);
  const [confirmFirstBatch, setConfirmFirstBatch] = useState(false);
  // a push only: the reload is a separate step on the release
  const [noReload, setNoReload] = useState(false);
  // a prod change without config.push.prod: the change waiting for a ticket
  const [gated, setGated] = useState<{
    kind: 'push' | 'rollback';
    version: number;
    requested?: ChangeApprovalTicket;
  }>();
  const data = useAsyncRetry(async () => {
    const [set, versions] = await Promise.all([
      client.getSet(id),
      client.versions(id),
    ]);
    return { set, versions: versions.items };
  }, [client, id]);
  const [action, run] = useAsyncFn(
    async (
      kind: 'push' | 'rollback',
      version: number,
      approval: ApprovalAsk = {},
    ) => {
      try {
        // only what was asked for: the defaults are the backend's (and the ticket's)
        const pause = {
          pauseSeconds: pauseSeconds || undefined,
          confirmFirstBatch: confirmFirstBatch || undefined,
        };
        const r =
          kind === 'push'
            ? await client.push(id, version, batchSize, approval, {
                ...pause,
                reload: noReload ? false : undefined,
              })
            : await client.rollback(id, version, batchSize, approval, pause);
        if ('approvalTicket' in r) {
          setGated({ kind, version, requested: r.approvalTicket });
          return undefined;
        }
        setGated(undefined);
        if ('release' in r) {
          setReleaseId(r.release.id);
          data.retry();
          return t('release.rolledBack', { version: r.version.version });
        }
        setReleaseId(r.id);
        return t('release.started', { version });
      } catch (error) {
        if (!isApprovalRequired(error) || approval.approvalTicket) throw error;
        setGated({ kind, version });
        return undefined;
      }
    },
    // data.retry changes as the list loads: a stale one does nothing
    [
      client,
      id,
      batchSize,
      pauseSeconds,
      confirmFirstBatch,
      noReload,
      data.retry,
    ],
  );

  if (data.error) return <ErrorAlert error={data.error} />;
  if (!data.value) return <Progress />;
  const { set, versions } = data.value;
  const latest = versions[0];
  return (
    <>
      <Link to="..">{t('sets.back')}</Link>
      <Typography variant="h5" style={{ margin: '8px 0' }}>
        {set.name} <code>{set.targetPath}</code> ({set.kind}){' '}
        {canEdit && (
          <Button variant="outlined" onClick={() => setEditing(true)}>
            {t('create.edit')}
          </Button>
        )}
      </Typography>
      {editing && (
        <SetFormDialog
          set={set}
          onClose={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            data.retry();
          }}
        />
      )}
      <Grid container spacing={2}>
        {canEdit && (
          <Grid item xs={12} md={6}>
            <Editor setId={id} latest={latest} onSaved={data.retry} />
          </Grid>
        )}
        <Grid item xs={12} md={canEdit ? 6 : 12}>
          <Paper style={{ padding: 16 }}>
            <Typography variant="h6">{t('versions.title')}</Typography>
            <Table size="small">
              <TableHead>
                <TableRow>
                  <TableCell>{t('versions.version')}</TableCell>
                  <TableCell>{t('versions.message')}</TableCell>
                  <TableCell>{t('versions.author')}</TableCell>
                  <TableCell>{t('versions.time')}</TableCell>
                  <TableCell />
                </TableRow>
              </TableHead>
              <TableBody>
                {versions.map(v => (
                  <TableRow key={v.version} data-testid="config-version-row">
                    <TableCell>v{v.version}</TableCell>
                    <TableCell>
                      {v.message}
                      {v.rolledBackFrom !== undefined &&
                        ` (${t('versions.rolledBack', {
                          version: v.rolledBackFrom,
                        })})`}
                      {v.adoptedFromHost &&
                        ` (${t('versions.adopted', {
                          host: v.adoptedFromHost,
                        })})`}
                    </TableCell>
                    <TableCell>
                      {v.author.replace(/^user:default\//, '')}
                    </TableCell>
                    <TableCell>{formatTime(v.createdAt)}</TableCell>
                    <TableCell style={{ whiteSpace: 'nowrap' }}>
                      {canEdit && (
                        <Button
                          size="small"
                          onClick={() => setPreviewOf(v.version)}
                        >
                          {t('versions.preview')}
                        </Button>
                      )}
                      {canPush && (
                        <Button
                          size="small"
                          color="primary"
                          disabled={action.loading}
                          onClick={() => run('push', v.version)}
                        >
                          {t('versions.push')}
                        </Button>
                      )}
                      {canPush && v !== latest && (
                        <Button
                          size="small"
                          disabled={action.loading}
                          onClick={() => run('rollback', v.version)}
                        >
                          {t('versions.rollback')}
                        </Button>
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            {canPush && (
              <TextField
                id="config-batch-size"
                type="number"
                label={t('versions.batchSize')}
                value={batchSize}
                onChange={e =>
                  setBatchSize(Math.max(1, Number(e.target.value) || 1))
                }
                inputProps={{ min: 1, max: 100 }}
                style={{ marginTop: 8 }}
              />
            )}
            {canPush && (
              <PauseFields
                pauseSeconds={pauseSeconds}
                onPauseSeconds={setPauseSeconds}
                confirmFirstBatch={confirmFirstBatch}
                onConfirmFirstBatch={setConfirmFirstBatch}
              />
            )}
            {canPush && (
              <FormControlLabel
                control={
                  <Checkbox
                    checked={noReload}
                    onChange={e => setNoReload(e.target.checked)}
                    inputProps={{ 'aria-label': t('versions.noReload') }}
                  />
                }
                label={t('versions.noReload')}
              />
            )}
            {versions.length > 1 && <Compare setId={id} versions={versions} />}
          </Paper>
        </Grid>
      </Grid>
      {gated && (
        <ApprovalPanel
          key={`${gated.kind}-${gated.version}-${gated.requested?.ticketId}`}
          idPrefix="config"
          reason={t('approval.required')}
          runLabel={t('approval.run')}
          requested={gated.requested}
          busy={action.loading}
          onRun={approval => run(gated.kind, gated.version, approval)}
        />
      )}
      {action.error && <ErrorAlert error={action.error} />}
      {action.value && <Alert severity="info">{action.value}</Alert>}
      {releaseId !== undefined && (
        <ReleasePanel
          key={releaseId}
          releaseId={releaseId}
          canControl={canPush}
        />
      )}
      {canEdit && (
        <DriftPanel setId={id} canAdopt={canPush} onAdopted={data.retry} />
      )}
      {previewOf !== undefined && (
        <PreviewDialog
          setId={id}
          version={previewOf}
          onClose={() => setPreviewOf(undefined)}
        />
      )}
    </>
  );
}
