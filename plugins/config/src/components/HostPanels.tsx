import { Progress } from '@backstage/core-components';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { DiffView, ErrorAlert, useConfigClient, useT } from './hooks';

const hostName = (ref: string) => ref.replace(/^resource:default\//, '');

/** A version rendered for each host, against the host's live file. */
export function PreviewDialog({
  setId,
  version,
  onClose,
}: {
  setId: number;
  version: number;
  onClose: () => void;
}) {
  const t = useT();
  const client = useConfigClient();
  const { value, loading, error } = useAsync(
    () => client.preview(setId, version),
    [client, setId, version],
  );
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="md">
      <DialogTitle>{t('preview.title', { version })}</DialogTitle>
      <DialogContent>
        {loading && <Progress />}
        {error && <ErrorAlert error={error} />}
        {value?.items.map(p => (
          <div key={p.host} data-testid="config-preview-host">
            <Typography variant="subtitle2">{hostName(p.host)}</Typography>
            {p.renderError && (
              <Alert severity="error">
                {t('preview.renderError', { message: p.renderError })}
              </Alert>
            )}
            {p.liveError && (
              <Alert severity="warning">
                {t('preview.liveError', { message: p.liveError })}
              </Alert>
            )}
            {!p.renderError && (
              <DiffView diff={p.diff} empty={t('preview.same')} />
            )}
          </div>
        ))}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('preview.close')}</Button>
      </DialogActions>
    </Dialog>
  );
}

/** Each pushed host's live file against what the last push left there. */
export function DriftPanel({
  setId,
  canAdopt,
  onAdopted,
}: {
  setId: number;
  canAdopt: boolean;
  onAdopted: () => void;
}) {
  const t = useT();
  const client = useConfigClient();
  const [drift, check] = useAsyncFn(() => client.drift(setId), [client, setId]);
  const [adopted, adopt] = useAsyncFn(
    // the file as the diff above showed it: changed since, refused (409)
    async (host: string, liveSha256?: string) => {
      const v = await client.adopt(setId, host, liveSha256);
      onAdopted();
      await check();
      return v;
    },
    [client, setId],
  );
  return (
    <div style={{ marginTop: 16 }}>
      <Typography variant="h6">{t('drift.title')}</Typography>
      <Button variant="outlined" onClick={() => check()}>
        {t('drift.check')}
      </Button>
      {drift.loading && <Progress />}
      {drift.error && <ErrorAlert error={drift.error} />}
      {adopted.error && <ErrorAlert error={adopted.error} />}
      {/* this screen asks no approval, so the answer is the adopted version */}
      {adopted.value && 'version' in adopted.value && (
        <Alert severity="success">
          {t('drift.adopted', { version: adopted.value.version })}
        </Alert>
      )}
      {drift.value && drift.value.items.length === 0 && (
        <Alert severity="info">{t('drift.none')}</Alert>
      )}
      {drift.value?.items.map(d => (
        <div key={d.host} data-testid="config-drift-host">
          <Typography variant="subtitle2">
            {hostName(d.host)}:{' '}
            {d.drifted
              ? t('drift.drifted', { version: d.pushedVersion ?? '?' })
              : t('drift.clean', { version: d.pushedVersion ?? '?' })}
          </Typography>
          {d.error && <Alert severity="warning">{d.error}</Alert>}
          {d.drifted && d.diff && <DiffView diff={d.diff} empty="" />}
          {d.drifted && canAdopt && (
            <Button size="small" onClick={() => adopt(d.host, d.liveSha256)}>
              {t('drift.adopt')}
            </Button>
          )}
        </div>
      ))}
    </div>
  );
}
