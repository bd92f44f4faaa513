import { useMemo } from 'react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
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
import { Progress } from '@backstage/core-components';
import useAsync from 'react-use/esm/useAsync';
import { AccountsClient } from '../api';
import { accountsTranslationRef } from '../translation/translation';
import { formatDateTime } from '@opsdeck/plugin-opsdeck-common';

const when = (iso: string) => formatDateTime(iso);

/** The live sessions of one account: when, from where, which browser. */
export function SessionsDialog(props: {
  client: AccountsClient;
  name: string;
  onClose: () => void;
}) {
  const { client, name, onClose } = props;
  const { t } = useTranslationRef(accountsTranslationRef);
  const sessions = useAsync(() => client.sessions(name), [client, name]);
  const rows = useMemo(() => sessions.value ?? [], [sessions.value]);
  return (
    <Dialog open onClose={onClose} maxWidth="md" fullWidth>
      <DialogTitle>{t('sessions.title', { name })}</DialogTitle>
      <DialogContent>
        {sessions.loading && <Progress />}
        {sessions.error && (
          <Alert severity="error">{sessions.error.message}</Alert>
        )}
        {sessions.value && rows.length === 0 && (
          <Typography>{t('sessions.none')}</Typography>
        )}
        {rows.length > 0 && (
          <Table size="small" aria-label={t('sessions.title', { name })}>
            <TableHead>
              <TableRow>
                <TableCell>{t('sessions.created')}</TableCell>
                <TableCell>{t('sessions.lastSeen')}</TableCell>
                <TableCell>{t('sessions.address')}</TableCell>
                <TableCell>{t('sessions.userAgent')}</TableCell>
                <TableCell>{t('sessions.expires')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map(s => (
                <TableRow key={s.id} data-testid="session-row">
                  <TableCell>{when(s.createdAt)}</TableCell>
                  <TableCell>{when(s.lastSeenAt)}</TableCell>
                  <TableCell>
                    {s.address ?? '—'}
                    {s.lastAddress && s.lastAddress !== s.address
                      ? ` → ${s.lastAddress}`
                      : ''}
                  </TableCell>
                  <TableCell style={{ maxWidth: 280, wordBreak: 'break-word' }}>
                    {s.userAgent ?? '—'}
                  </TableCell>
                  <TableCell>{when(s.expiresAt)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('actions.close')}</Button>
      </DialogActions>
    </Dialog>
  );
}
