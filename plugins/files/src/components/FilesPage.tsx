import { useMemo, useState } from 'react';
import {
  coreApis,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { Content } from '@backstage/core-components';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Tooltip,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useSearchParams } from 'react-router-dom';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  filesDistributePermission,
  filesFileDeletePermission,
  filesFileReadPermission,
  filesFileUploadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { RequireAnyPermission } from '@opsdeck/plugin-opsdeck-common/react';
import { FilesClient, type FileVersion } from '../api/FilesClient';
import { filesTranslationRef } from '../translation/translation';
import { DistributeDialog } from './DistributeDialog';
import { DistributionView } from './DistributionView';
import { errorMessage } from './errors';
import { formatBytes } from './format';
import { UploadCard } from './UploadCard';
import { formatDateTime } from '@opsdeck/plugin-opsdeck-common';

/** The Files page: upload, library, distributions with a live view. */
export function FilesPage() {
  return (
    <RequireAnyPermission permissions={[filesFileReadPermission]}>
      <FilesLibrary />
    </RequireAnyPermission>
  );
}

function FilesLibrary() {
  const canDistribute = usePermission({
    permission: filesDistributePermission,
  }).allowed;
  const canDelete = usePermission({
    permission: filesFileDeletePermission,
  }).allowed;
  const { t } = useTranslationRef(filesTranslationRef);
  const discoveryApi = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  const client = useMemo(
    () => new FilesClient(discoveryApi, fetchApi),
    [discoveryApi, fetchApi],
  );
  const files = useAsyncRetry(() => client.listFiles(), [client]);
  const distributions = useAsyncRetry(
    () => client.listDistributions(),
    [client],
  );
  const [distributing, setDistributing] = useState<FileVersion>();
  const [deleting, setDeleting] = useState<FileVersion>();
  // every distribution has its own URL, /files?distribution=<id>
  const [params, setParams] = useSearchParams();
  const shown = params.get('distribution') ?? undefined;
  const setShown = (id: string | undefined) =>
    setParams(id ? { distribution: id } : {});
  const [error, setError] = useState<string>();

  const remove = async () => {
    if (!deleting) return;
    try {
      await client.deleteFile(deleting.id);
      files.retry();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setDeleting(undefined);
    }
  };

  return (
    <Content>
      <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
        <Typography variant="body1">{t('page.subtitle')}</Typography>
        <RequireAnyPermission
          permissions={[filesFileUploadPermission]}
          fallback={null}
        >
          <UploadCard client={client} onUploaded={() => files.retry()} />
        </RequireAnyPermission>
        {error ? <Alert severity="error">{error}</Alert> : null}
        {shown ? (
          <DistributionView
            client={client}
            id={shown}
            onClose={() => setShown(undefined)}
            onChanged={() => distributions.retry()}
          />
        ) : null}

        <Paper variant="outlined">
          <Box p={2}>
            <Typography variant="h6" component="h2">
              {t('library.title')}
            </Typography>
            {files.error ? (
              <Alert severity="error">{errorMessage(files.error)}</Alert>
            ) : null}
            <TableContainer>
              <Table size="small" aria-label={t('library.caption')}>
                <TableHead>
                  <TableRow>
                    <TableCell>{t('library.name')}</TableCell>
                    <TableCell>{t('library.version')}</TableCell>
                    <TableCell>{t('library.size')}</TableCell>
                    <TableCell>{t('library.sha256')}</TableCell>
                    <TableCell>{t('library.uploader')}</TableCell>
                    <TableCell>{t('library.ownerGroup')}</TableCell>
                    <TableCell>{t('library.created')}</TableCell>
                    <TableCell>{t('library.actions')}</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {(files.value ?? []).map(f => (
                    <TableRow key={f.id}>
                      <TableCell>{f.name}</TableCell>
                      <TableCell>{f.version}</TableCell>
                      <TableCell>{formatBytes(f.size)}</TableCell>
                      <TableCell>
                        <Tooltip title={f.sha256}>
                          <code>{f.sha256.slice(0, 12)}…</code>
                        </Tooltip>
                      </TableCell>
                      <TableCell>
                        {f.uploader.replace(/^user:default\//, '')}
                      </TableCell>
                      <TableCell>{f.ownerGroup ?? ''}</TableCell>
                      <TableCell>{formatDateTime(f.createdAt)}</TableCell>
                      <TableCell>
                        {canDistribute ? (
                          <Button
                            size="small"
                            color="primary"
                            onClick={() => setDistributing(f)}
                            aria-label={`${t('library.distribute')} ${
                              f.name
                            } v${f.version}`}
                          >
                            {t('library.distribute')}
                          </Button>
                        ) : null}
                        {canDelete ? (
                          <Button
                            size="small"
                            onClick={() => setDeleting(f)}
                            aria-label={`${t('library.delete')} ${f.name} v${
                              f.version
                            }`}
                          >
                            {t('library.delete')}
                          </Button>
                        ) : null}
                      </TableCell>
                    </TableRow>
                  ))}
                  {files.value?.length === 0 ? (
                    <TableRow>
                      <TableCell colSpan={8}>{t('library.empty')}</TableCell>
                    </TableRow>
                  ) : null}
                </TableBody>
              </Table>
            </TableContainer>
          </Box>
        </Paper>

        <Paper variant="outlined">
          <Box p={2}>
            <Typography variant="h6" component="h2">
              {t('distributions.title')}
            </Typography>
            {distributions.error ? (
              <Alert severity="error">
                {errorMessage(distributions.error)}
              </Alert>
            ) : null}
            <TableContainer>
              <Table size="small" aria-label={t('distributions.caption')}>
                <TableHead>
                  <TableRow>
                    <TableCell>{t('distributions.file')}</TableCell>
                    <TableCell>{t('distributions.target')}</TableCell>
                    <TableCell>{t('distributions.status')}</TableCell>
                    <TableCell>{t('distributions.by')}</TableCell>
                    <TableCell>{t('distributions.started')}</TableCell>
                    <TableCell />
                  </TableRow>
                </TableHead>
                <TableBody>
                  {(distributions.value ?? []).map(d => (
                    <TableRow key={d.id}>
                      <TableCell>{`${d.fileName} v${d.fileVersion}`}</TableCell>
                      <TableCell>{d.targetPath}</TableCell>
                      <TableCell>
                        {t(`distributions.${d.status}`)} ·{' '}
                        {t('distributions.summary', {
                          verified: String(d.counts?.verified ?? 0),
                          failed: String(d.counts?.failed ?? 0),
                          active: String(
                            (d.counts?.pending ?? 0) +
                              (d.counts?.transferring ?? 0) +
                              (d.counts?.verifying ?? 0),
                          ),
                          total: String(
                            Object.values(d.counts ?? {}).reduce(
                              (a, b) => a + b,
                              0,
                            ),
                          ),
                        })}
                      </TableCell>
                      <TableCell>
                        {d.createdBy.replace(/^user:default\//, '')}
                      </TableCell>
                      <TableCell>{formatDateTime(d.createdAt)}</TableCell>
                      <TableCell>
                        <Button size="small" onClick={() => setShown(d.id)}>
                          {t('distributions.open')}
                        </Button>
                      </TableCell>
                    </TableRow>
                  ))}
                  {distributions.value?.length === 0 ? (
                    <TableRow>
                      <TableCell colSpan={6}>
                        {t('distributions.empty')}
                      </TableCell>
                    </TableRow>
                  ) : null}
                </TableBody>
              </Table>
            </TableContainer>
          </Box>
        </Paper>
      </Box>

      {distributing ? (
        <DistributeDialog
          client={client}
          file={distributing}
          onClose={() => setDistributing(undefined)}
          onStarted={d => {
            setDistributing(undefined);
            setShown(d.id);
            distributions.retry();
          }}
        />
      ) : null}
      <Dialog open={!!deleting} onClose={() => setDeleting(undefined)}>
        <DialogTitle>
          {deleting
            ? t('library.deleteTitle', {
                name: deleting.name,
                version: String(deleting.version),
              })
            : ''}
        </DialogTitle>
        <DialogContent>
          <DialogContentText>{t('library.deleteBody')}</DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setDeleting(undefined)}>
            {t('library.cancel')}
          </Button>
          <Button color="secondary" onClick={remove}>
            {t('library.delete')}
          </Button>
        </DialogActions>
      </Dialog>
    </Content>
  );
}
