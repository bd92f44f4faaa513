import { FormEvent, useMemo, useState } from 'react';
import {
  coreApis,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { Content, Progress } from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
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
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Account, AccountsClient } from '../api';
import { accountsTranslationRef } from '../translation/translation';
import { SessionsDialog } from './SessionsDialog';
import {
  formatDateTime,
  serverErrorMessage,
} from '@opsdeck/plugin-opsdeck-common';

const when = (iso: string) => formatDateTime(iso);

/** Lock state of an account, one line per lock. */
function AccountState(props: { account: Account }) {
  const { account } = props;
  const { t } = useTranslationRef(accountsTranslationRef);
  const lines: string[] = [];
  if (account.locked && account.lockedUntil) {
    lines.push(t('state.locked', { time: when(account.lockedUntil) }));
  }
  for (const l of account.lockedAddresses) {
    lines.push(
      t('state.lockedFrom', { address: l.address, time: when(l.until) }),
    );
  }
  if (lines.length === 0) lines.push(t('state.active'));
  return (
    <>
      {lines.map(line => (
        <Typography key={line} variant="body2">
          {line}
        </Typography>
      ))}
      {account.failedAttempts > 0 && (
        <Typography variant="caption" color="textSecondary">
          {t('state.failures', { count: account.failedAttempts })}
        </Typography>
      )}
    </>
  );
}

/**
 * The Accounts page: local accounts with lock state and sessions; admins reset passwords,
 * unlock and sign accounts out everywhere (buttons only for who may).
 */
export function AccountsPage() {
  const { t } = useTranslationRef(accountsTranslationRef);
  const discoveryApi = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  const client = useMemo(
    () => new AccountsClient(discoveryApi, fetchApi),
    [discoveryApi, fetchApi],
  );
  const accounts = useAsyncRetry(() => client.list(), [client]);
  const [viewing, setViewing] = useState<string>();
  const [resetting, setResetting] = useState<string>();
  const [password, setPassword] = useState('');
  const [signingOut, setSigningOut] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ ok: boolean; text: string }>();

  const errorText = (error: Error) => {
    if (ResponseError.is(error)) {
      if (error.statusCode === 403) return t('errors.forbidden');
      if (error.statusCode === 401) return t('errors.unauthorized');
      // in the display language by the response's opsdeck error code
      if (error.statusCode < 500) return serverErrorMessage(error);
      return t('errors.generic', { message: error.cause.message });
    }
    return t('errors.generic', { message: error.message });
  };

  const run = async (action: () => Promise<string>) => {
    setBusy(true);
    try {
      setNotice({ ok: true, text: await action() });
      setResetting(undefined);
      setSigningOut(undefined);
      setPassword('');
      accounts.retry();
    } catch (error) {
      setNotice({ ok: false, text: errorText(error as Error) });
    } finally {
      setBusy(false);
    }
  };

  const onReset = (e: FormEvent) => {
    e.preventDefault();
    const name = resetting;
    if (!name) return;
    run(async () => {
      const r = await client.setPassword(name, password);
      return t('done.reset', { name, count: r.sessionsEnded });
    });
  };

  const canManage = accounts.value?.canManage ?? false;

  return (
    <Content>
      <Typography variant="body1" paragraph>
        {t('page.subtitle')}
      </Typography>
      {notice && (
        <Box mb={2}>
          <Alert
            severity={notice.ok ? 'success' : 'error'}
            onClose={() => setNotice(undefined)}
          >
            {notice.text}
          </Alert>
        </Box>
      )}
      {accounts.error && (
        <Alert severity="error">{errorText(accounts.error)}</Alert>
      )}
      {accounts.loading && !accounts.value && <Progress />}
      {accounts.value && (
        <TableContainer component={Paper}>
          <Table size="small" aria-label={t('table.caption')}>
            <TableHead>
              <TableRow>
                <TableCell>{t('table.name')}</TableCell>
                <TableCell>{t('table.state')}</TableCell>
                <TableCell>{t('table.sessions')}</TableCell>
                <TableCell>{t('table.lastLogin')}</TableCell>
                <TableCell align="right">{t('table.actions')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {accounts.value.items.length === 0 && (
                <TableRow>
                  <TableCell colSpan={5}>{t('table.empty')}</TableCell>
                </TableRow>
              )}
              {accounts.value.items.map(account => {
                const locked =
                  account.locked || account.lockedAddresses.length > 0;
                return (
                  <TableRow key={account.name} data-testid="account-row">
                    <TableCell>{account.name}</TableCell>
                    <TableCell>
                      <AccountState account={account} />
                    </TableCell>
                    <TableCell>{account.sessions}</TableCell>
                    <TableCell>
                      {account.lastLoginAt
                        ? when(account.lastLoginAt)
                        : t('table.never')}
                    </TableCell>
                    <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>
                      <Button
                        size="small"
                        onClick={() => setViewing(account.name)}
                      >
                        {t('actions.sessions')}
                      </Button>
                      {canManage && (
                        <>
                          <Button
                            size="small"
                            onClick={() => {
                              setPassword('');
                              setResetting(account.name);
                            }}
                          >
                            {t('actions.resetPassword')}
                          </Button>
                          {locked && (
                            <Button
                              size="small"
                              disabled={busy}
                              onClick={() =>
                                run(async () => {
                                  await client.unlock(account.name);
                                  return t('done.unlocked', {
                                    name: account.name,
                                  });
                                })
                              }
                            >
                              {t('actions.unlock')}
                            </Button>
                          )}
                          <Button
                            size="small"
                            color="secondary"
                            disabled={account.sessions === 0}
                            onClick={() => setSigningOut(account.name)}
                          >
                            {t('actions.signOutEverywhere')}
                          </Button>
                        </>
                      )}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </TableContainer>
      )}

      {viewing && (
        <SessionsDialog
          client={client}
          name={viewing}
          onClose={() => setViewing(undefined)}
        />
      )}

      {resetting && (
        <Dialog open onClose={() => setResetting(undefined)}>
          <form onSubmit={onReset}>
            <DialogTitle>{t('reset.title', { name: resetting })}</DialogTitle>
            <DialogContent>
              <TextField
                id="accounts-new-password"
                label={t('reset.password')}
                helperText={t('reset.help')}
                type="password"
                value={password}
                onChange={e => setPassword(e.target.value)}
                required
                fullWidth
                variant="outlined"
                margin="dense"
                inputProps={{ autoComplete: 'new-password' }}
              />
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setResetting(undefined)}>
                {t('actions.cancel')}
              </Button>
              <Button
                type="submit"
                color="primary"
                variant="contained"
                disabled={busy || !password}
              >
                {t('actions.save')}
              </Button>
            </DialogActions>
          </form>
        </Dialog>
      )}

      {signingOut && (
        <Dialog open onClose={() => setSigningOut(undefined)}>
          <DialogTitle>{t('confirm.title', { name: signingOut })}</DialogTitle>
          <DialogContent>
            <DialogContentText>{t('confirm.body')}</DialogContentText>
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setSigningOut(undefined)}>
              {t('actions.cancel')}
            </Button>
            <Button
              color="secondary"
              variant="contained"
              disabled={busy}
              onClick={() => {
                const name = signingOut;
                run(async () => {
                  const r = await client.signOutEverywhere(name);
                  return t('done.signedOut', {
                    name,
                    count: r.sessionsEnded,
                  });
                });
              }}
            >
              {t('actions.confirm')}
            </Button>
          </DialogActions>
        </Dialog>
      )}
    </Content>
  );
}
