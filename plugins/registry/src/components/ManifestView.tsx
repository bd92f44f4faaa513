import { Progress } from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  formatDateTime,
  registryTagDeletePermission,
} from '@opsdeck/plugin-opsdeck-common';
import type {
  Operations,
  RunningPlace,
} from '../schema/openapi.client.generated';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { RegistryErrorAlert, registryErrorCode } from './RegistryErrorAlert';
import {
  formatSize,
  registryPath,
  useRegistryClient,
  useT,
} from './useRegistry';

/** One tag: its manifest per platform, where it runs, and deletion. */
export function ManifestView(props: {
  registry: string;
  repository: string;
  tag: string;
  onBack: () => void;
  onDeleted: (result: Operations['deleteTag']['response']) => void;
}) {
  const { registry, repository, tag } = props;
  const t = useT();
  const client = useRegistryClient();
  const { allowed: mayDelete } = usePermission({
    permission: registryTagDeletePermission,
  });
  const [confirming, setConfirming] = useState(false);
  const [shared, setShared] = useState(false);
  const [deleteError, setDeleteError] = useState<Error>();
  const { value, loading, error } = useAsync(
    () =>
      client.getManifest({
        path: registryPath(registry),
        query: { repository, reference: tag },
      }),
    [client, registry, repository, tag],
  );
  const back = <Button onClick={props.onBack}>{t('manifest.back')}</Button>;
  const placeText = (p: RunningPlace) =>
    t(p.kind === 'pod' ? 'manifest.runningPod' : 'manifest.runningHost', {
      where: p.where,
    });
  const placesOf = (digest: string) =>
    (value?.running ?? [])
      .filter(p => p.digest === digest)
      .map(placeText)
      .join(', ');
  if (loading) return <Progress />;
  if (error || !value) {
    return (
      <>
        {back}
        <RegistryErrorAlert error={error ?? new Error('no manifest')} />
      </>
    );
  }

  const remove = async (confirmDigest?: string) => {
    setDeleteError(undefined);
    try {
      const result = await client.deleteTag({
        path: registryPath(registry),
        body: {
          repository,
          tag,
          ...(confirmDigest ? { confirmDigest } : {}),
        },
      });
      setConfirming(false);
      props.onDeleted(result);
    } catch (e) {
      // other tags share the digest: the server asks to confirm it
      if (!confirmDigest && registryErrorCode(e) === 'registry-digest-shared') {
        setShared(true);
        return;
      }
      setDeleteError(e as Error);
    }
  };

  return (
    <>
      {back}
      <Typography variant="h6">
        {repository}:{tag}
      </Typography>
      <Table size="small">
        <TableBody>
          <TableRow>
            <TableCell>{t('manifest.digest')}</TableCell>
            <TableCell>
              <code>{value.digest}</code>
            </TableCell>
          </TableRow>
          <TableRow>
            <TableCell>{t('manifest.kind')}</TableCell>
            <TableCell>
              {t(value.kind === 'index' ? 'manifest.index' : 'manifest.image')}
            </TableCell>
          </TableRow>
          <TableRow>
            <TableCell>{t('manifest.size')}</TableCell>
            <TableCell>{formatSize(value.size)}</TableCell>
          </TableRow>
          <TableRow>
            <TableCell>{t('manifest.created')}</TableCell>
            <TableCell>{formatDateTime(value.created)}</TableCell>
          </TableRow>
        </TableBody>
      </Table>
      <Box my={2}>
        {value.running.length > 0 ? (
          <Alert severity="warning" data-testid="registry-running">
            {t('manifest.running', {
              places: [...new Set(value.running.map(placeText))].join(', '),
            })}
          </Alert>
        ) : (
          <Typography color="textSecondary">
            {t('manifest.notRunning')}
          </Typography>
        )}
      </Box>
      <Table size="small">
        <TableHead>
          <TableRow>
            <TableCell>{t('manifest.platform')}</TableCell>
            <TableCell>{t('manifest.digest')}</TableCell>
            <TableCell>{t('manifest.size')}</TableCell>
            <TableCell>{t('manifest.created')}</TableCell>
            <TableCell>{t('manifest.layers')}</TableCell>
            <TableCell>{t('manifest.runningColumn')}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {value.images.map(image => (
            <TableRow key={image.digest}>
              <TableCell>
                {image.platform
                  ? [
                      image.platform.os,
                      image.platform.architecture,
                      image.platform.variant,
                    ]
                      .filter(Boolean)
                      .join('/')
                  : '—'}
                {image.artifact ? ` (${t('manifest.artifact')})` : ''}
              </TableCell>
              <TableCell>
                <code>{image.digest.slice(0, 19)}</code>
              </TableCell>
              <TableCell>{formatSize(image.size)}</TableCell>
              <TableCell>{formatDateTime(image.created)}</TableCell>
              <TableCell>
                {image.layers
                  .map(l => `${l.digest.slice(7, 19)} ${formatSize(l.size)}`)
                  .join(', ')}
              </TableCell>
              <TableCell>{placesOf(image.digest) || '—'}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {mayDelete && (
        <Box mt={2}>
          <Button
            color="secondary"
            variant="outlined"
            onClick={() => {
              setShared(false);
              setDeleteError(undefined);
              setConfirming(true);
            }}
          >
            {t('delete.button')}
          </Button>
        </Box>
      )}
      <Dialog open={confirming} onClose={() => setConfirming(false)}>
        <DialogTitle>{t('delete.title', { repository, tag })}</DialogTitle>
        <DialogContent>
          <Typography>
            {t(shared ? 'delete.shared' : 'delete.body', {
              digest: value.digest,
            })}
          </Typography>
          {deleteError && <RegistryErrorAlert error={deleteError} />}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(false)}>
            {t('delete.cancel')}
          </Button>
          <Button
            color="secondary"
            onClick={() => remove(shared ? value.digest : undefined)}
          >
            {t(shared ? 'delete.confirmAll' : 'delete.confirm')}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
