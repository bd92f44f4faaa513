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
  MenuItem,
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
import { Credential, CredentialType, VaultClient } from '../api';
import { vaultTranslationRef } from '../translation/translation';

type Draft = {
  name: string;
  type: CredentialType;
  username: string;
  description: string;
  owner: string;
  secret: string;
};

const emptyDraft: Draft = {
  name: '',
  type: 'ssh-key',
  username: '',
  description: '',
  owner: '',
  secret: '',
};

/** The secret input: a key textarea, or a password field. */
function SecretField(props: {
  type: CredentialType;
  value: string;
  onChange: (value: string) => void;
  labels: { privateKey: string; privateKeyHelp: string; password: string };
}) {
  const { type, value, onChange, labels } = props;
  return type === 'ssh-key' ? (
    <TextField
      id="vault-secret"
      label={labels.privateKey}
      helperText={labels.privateKeyHelp}
      value={value}
      onChange={e => onChange(e.target.value)}
      multiline
      minRows={6}
      required
      fullWidth
      variant="outlined"
      margin="dense"
      inputProps={{
        spellCheck: false,
        autoComplete: 'off',
        style: { fontFamily: 'monospace', fontSize: 12 },
      }}
    />
  ) : (
    <TextField
      id="vault-secret"
      label={labels.password}
      type="password"
      value={value}
      onChange={e => onChange(e.target.value)}
      required
      fullWidth
      variant="outlined"
      margin="dense"
      inputProps={{ autoComplete: 'new-password' }}
    />
  );
}

/** The Credentials page: the vault's credentials and admin actions. */
export function CredentialsPage() {
  const { t } = useTranslationRef(vaultTranslationRef);
  const discoveryApi = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  const client = useMemo(
    () => new VaultClient(discoveryApi, fetchApi),
    [discoveryApi, fetchApi],
  );
  const credentials = useAsyncRetry(() => client.list(), [client]);

  const [adding, setAdding] = useState(false);
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [replacing, setReplacing] = useState<Credential>();
  const [newSecret, setNewSecret] = useState('');
  const [deleting, setDeleting] = useState<Credential>();
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string>();

  const errorText = (error: Error, forbidden: string) => {
    if (ResponseError.is(error)) {
      if (error.statusCode === 403) return forbidden;
      if (error.statusCode === 401) return t('errors.unauthorized');
      // 400 / 404 / 409 messages from the vault name the problem
      if (error.statusCode < 500) return error.cause.message;
      return t('errors.generic', { message: error.cause.message });
    }
    return t('errors.generic', { message: error.message });
  };

  const closeDialogs = () => {
    setAdding(false);
    setReplacing(undefined);
    setDeleting(undefined);
    setActionError(undefined);
    // secrets don't stay in memory longer than the dialog
    setDraft(emptyDraft);
    setNewSecret('');
  };

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setActionError(undefined);
    try {
      await action();
      closeDialogs();
      credentials.retry();
    } catch (error) {
      setActionError(errorText(error as Error, t('errors.forbiddenManage')));
    } finally {
      setBusy(false);
    }
  };

  const onAdd = (e: FormEvent) => {
    e.preventDefault();
    run(() =>
      client.create({
        name: draft.name.trim(),
        type: draft.type,
        username: draft.username.trim() || undefined,
        description: draft.description.trim() || undefined,
        owner: draft.owner.trim() || undefined,
        secret: draft.secret,
      }),
    );
  };

  const onReplace = (e: FormEvent) => {
    e.preventDefault();
    if (replacing) run(() => client.replaceSecret(replacing.name, newSecret));
  };

  const set =
    (key: keyof Draft) =>
    (e: { target: { value: unknown } }): void =>
      setDraft(d => ({ ...d, [key]: String(e.target.value ?? '') }));

  const secretLabels = {
    privateKey: t('form.privateKey'),
    privateKeyHelp: t('form.privateKeyHelp'),
    password: t('form.password'),
  };

  return (
    <Content>
      <Box display="flex" alignItems="flex-start" style={{ gap: 16 }} mb={2}>
        <Typography variant="body1" style={{ flex: 1 }}>
          {t('page.subtitle')}
        </Typography>
        <Button
          variant="contained"
          color="primary"
          onClick={() => {
            closeDialogs();
            setAdding(true);
          }}
        >
          {t('actions.add')}
        </Button>
      </Box>

      {credentials.error && (
        <Alert severity="error">
          {errorText(credentials.error, t('errors.forbiddenRead'))}
        </Alert>
      )}
      {credentials.loading && !credentials.value && <Progress />}
      {credentials.value && (
        <TableContainer component={Paper}>
          <Table size="small" aria-label={t('table.caption')}>
            <TableHead>
              <TableRow>
                <TableCell>{t('table.name')}</TableCell>
                <TableCell>{t('table.type')}</TableCell>
                <TableCell>{t('table.username')}</TableCell>
                <TableCell>{t('table.fingerprint')}</TableCell>
                <TableCell>{t('table.owner')}</TableCell>
                <TableCell>{t('table.updated')}</TableCell>
                <TableCell align="right">{t('table.actions')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {credentials.value.length === 0 && (
                <TableRow>
                  <TableCell colSpan={7}>{t('table.empty')}</TableCell>
                </TableRow>
              )}
              {credentials.value.map(credential => (
                <TableRow key={credential.name} data-testid="credential-row">
                  <TableCell>
                    <Typography variant="body2">{credential.name}</Typography>
                    {credential.description && (
                      <Typography variant="caption" color="textSecondary">
                        {credential.description}
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell>{t(`type.${credential.type}`)}</TableCell>
                  <TableCell>{credential.username ?? '—'}</TableCell>
                  <TableCell>
                    {credential.fingerprint ? (
                      <code title={credential.keyAlgorithm}>
                        {credential.fingerprint}
                      </code>
                    ) : (
                      '—'
                    )}
                  </TableCell>
                  <TableCell>{credential.owner ?? '—'}</TableCell>
                  <TableCell>
                    <time dateTime={credential.updatedAt}>
                      {new Date(credential.updatedAt).toLocaleString()}
                    </time>
                  </TableCell>
                  <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>
                    <Button
                      size="small"
                      onClick={() => {
                        closeDialogs();
                        setReplacing(credential);
                      }}
                    >
                      {t('actions.replace')}
                    </Button>
                    <Button
                      size="small"
                      color="secondary"
                      onClick={() => {
                        closeDialogs();
                        setDeleting(credential);
                      }}
                    >
                      {t('actions.delete')}
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}

      <Dialog open={adding} onClose={closeDialogs} fullWidth maxWidth="sm">
        <form onSubmit={onAdd} aria-label={t('form.addTitle')}>
          <DialogTitle>{t('form.addTitle')}</DialogTitle>
          <DialogContent>
            {actionError && <Alert severity="error">{actionError}</Alert>}
            <TextField
              id="vault-name"
              label={t('form.name')}
              helperText={t('form.nameHelp')}
              value={draft.name}
              onChange={set('name')}
              required
              fullWidth
              margin="dense"
              variant="outlined"
            />
            <TextField
              id="vault-type"
              select
              label={t('form.type')}
              value={draft.type}
              onChange={set('type')}
              fullWidth
              margin="dense"
              variant="outlined"
            >
              <MenuItem value="ssh-key">{t('type.ssh-key')}</MenuItem>
              <MenuItem value="password">{t('type.password')}</MenuItem>
            </TextField>
            <TextField
              id="vault-username"
              label={t('form.username')}
              helperText={t('form.usernameHelp')}
              value={draft.username}
              onChange={set('username')}
              fullWidth
              margin="dense"
              variant="outlined"
            />
            <TextField
              id="vault-description"
              label={t('form.description')}
              value={draft.description}
              onChange={set('description')}
              fullWidth
              margin="dense"
              variant="outlined"
            />
            <TextField
              id="vault-owner"
              label={t('form.owner')}
              helperText={t('form.ownerHelp')}
              value={draft.owner}
              onChange={set('owner')}
              fullWidth
              margin="dense"
              variant="outlined"
            />
            <SecretField
              type={draft.type}
              value={draft.secret}
              onChange={secret => setDraft(d => ({ ...d, secret }))}
              labels={secretLabels}
            />
          </DialogContent>
          <DialogActions>
            <Button onClick={closeDialogs}>{t('actions.cancel')}</Button>
            <Button type="submit" color="primary" disabled={busy}>
              {t('actions.save')}
            </Button>
          </DialogActions>
        </form>
      </Dialog>

      <Dialog
        open={replacing !== undefined}
        onClose={closeDialogs}
        fullWidth
        maxWidth="sm"
      >
        <form
          onSubmit={onReplace}
          aria-label={t('form.replaceTitle', { name: replacing?.name ?? '' })}
        >
          <DialogTitle>
            {t('form.replaceTitle', { name: replacing?.name ?? '' })}
          </DialogTitle>
          <DialogContent>
            {actionError && <Alert severity="error">{actionError}</Alert>}
            <SecretField
              type={replacing?.type ?? 'ssh-key'}
              value={newSecret}
              onChange={setNewSecret}
              labels={secretLabels}
            />
          </DialogContent>
          <DialogActions>
            <Button onClick={closeDialogs}>{t('actions.cancel')}</Button>
            <Button type="submit" color="primary" disabled={busy}>
              {t('actions.replace')}
            </Button>
          </DialogActions>
        </form>
      </Dialog>

      <Dialog open={deleting !== undefined} onClose={closeDialogs}>
        <DialogTitle>
          {t('delete.title', { name: deleting?.name ?? '' })}
        </DialogTitle>
        <DialogContent>
          {actionError && <Alert severity="error">{actionError}</Alert>}
          <DialogContentText>{t('delete.body')}</DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={closeDialogs}>{t('actions.cancel')}</Button>
          <Button
            color="secondary"
            disabled={busy}
            onClick={() => deleting && run(() => client.remove(deleting.name))}
          >
            {t('actions.delete')}
          </Button>
        </DialogActions>
      </Dialog>
    </Content>
  );
}
