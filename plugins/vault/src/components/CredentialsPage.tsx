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
import { usePermission } from '@backstage/plugin-permission-react';
import {
  formatDateTime,
  serverErrorMessage,
  vaultCredentialManagePermission,
  vaultCredentialReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Credential, CredentialType, VaultClient } from '../api';
import { vaultTranslationRef } from '../translation/translation';
import {
  emptyPolicy,
  PolicyDraft,
  PolicyFields,
  usableFor,
} from './PolicyFields';
import { PolicySummary, servesNothing } from './PolicySummary';
import { useCatalogChoices } from './useCatalogChoices';
import { FormDialog } from './FormDialog';
import { NotAllowed } from '@opsdeck/plugin-opsdeck-common/react';

function statusOf(error: unknown) {
  return (error as { statusCode?: number })?.statusCode;
}

type Draft = {
  name: string;
  type: CredentialType;
  username: string;
  description: string;
  secret: string;
  policy: PolicyDraft;
};

const emptyDraft: Draft = {
  name: '',
  type: 'ssh-key',
  username: '',
  description: '',
  secret: '',
  policy: emptyPolicy,
};

/** The policy a credential has now, as the policy fields edit it. */
function policyOf(credential: Credential): PolicyDraft {
  return {
    owner: credential.owner ?? '',
    allowedUses: credential.allowedUses,
    allowedSystems: credential.allowedSystems,
    allowedEnvironments: credential.allowedEnvironments,
  };
}

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
  // what admins may do is shown to admins only (the API checks it again)
  const { allowed: canManage } = usePermission({
    permission: vaultCredentialManagePermission,
  });
  const catalog = useCatalogChoices();

  const [adding, setAdding] = useState(false);
  const [editingPolicy, setEditingPolicy] = useState<Credential>();
  const [policy, setPolicy] = useState<PolicyDraft>(emptyPolicy);
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
      // in the display language by the response's opsdeck error code
      if (error.statusCode < 500) return serverErrorMessage(error);
      return t('errors.generic', { message: error.cause.message });
    }
    return t('errors.generic', { message: error.message });
  };

  const closeDialogs = () => {
    setAdding(false);
    setEditingPolicy(undefined);
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
        secret: draft.secret,
        ...draft.policy,
      }),
    );
  };

  const onSavePolicy = (e: FormEvent) => {
    e.preventDefault();
    if (editingPolicy) run(() => client.setPolicy(editingPolicy.name, policy));
  };

  const onReplace = (e: FormEvent) => {
    e.preventDefault();
    if (replacing) run(() => client.replaceSecret(replacing.name, newSecret));
  };

  const set =
    (key: Exclude<keyof Draft, 'policy'>) =>
    (e: { target: { value: unknown } }): void =>
      setDraft(d => {
        const next = { ...d, [key]: String(e.target.value ?? '') };
        // an SSH key serves ssh-login only: drop uses the new type cannot serve
        const usable = usableFor(next.type as CredentialType);
        return {
          ...next,
          policy: {
            ...d.policy,
            allowedUses: d.policy.allowedUses.filter(u => usable.includes(u)),
          },
        };
      });
  const unset = (credentials.value ?? []).filter(servesNothing).length;

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
        {canManage && (
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
        )}
      </Box>
      {unset > 0 && (
        <Box mb={2}>
          <Alert severity="warning">
            {t('policy.unsetWarning', { n: String(unset) })}
          </Alert>
        </Box>
      )}

      {credentials.error && statusOf(credentials.error) === 403 && (
        <NotAllowed permission={vaultCredentialReadPermission} />
      )}
      {credentials.error && statusOf(credentials.error) !== 403 && (
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
                <TableCell>{t('table.policy')}</TableCell>
                <TableCell>{t('table.updated')}</TableCell>
                {canManage && (
                  <TableCell align="right">{t('table.actions')}</TableCell>
                )}
              </TableRow>
            </TableHead>
            <TableBody>
              {credentials.value.length === 0 && (
                <TableRow>
                  <TableCell colSpan={8}>{t('table.empty')}</TableCell>
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
                    <PolicySummary credential={credential} />
                  </TableCell>
                  <TableCell>
                    <time dateTime={credential.updatedAt}>
                      {formatDateTime(credential.updatedAt)}
                    </time>
                  </TableCell>
                  {canManage && (
                    <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>
                      <Button
                        size="small"
                        onClick={() => {
                          closeDialogs();
                          setPolicy(policyOf(credential));
                          setEditingPolicy(credential);
                        }}
                      >
                        {t('actions.policy')}
                      </Button>
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
                  )}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}

      <FormDialog
        open={adding}
        title={t('form.addTitle')}
        error={actionError}
        cancelLabel={t('actions.cancel')}
        submitLabel={t('actions.save')}
        submitDisabled={busy || !draft.policy.owner}
        onClose={closeDialogs}
        onSubmit={onAdd}
      >
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
        <PolicyFields
          type={draft.type}
          value={draft.policy}
          onChange={p => setDraft(d => ({ ...d, policy: p }))}
          catalog={catalog}
        />
        <SecretField
          type={draft.type}
          value={draft.secret}
          onChange={secret => setDraft(d => ({ ...d, secret }))}
          labels={secretLabels}
        />
      </FormDialog>

      <FormDialog
        open={editingPolicy !== undefined}
        title={t('policy.title', { name: editingPolicy?.name ?? '' })}
        error={actionError}
        cancelLabel={t('actions.cancel')}
        submitLabel={t('actions.save')}
        submitDisabled={busy || !policy.owner}
        onClose={closeDialogs}
        onSubmit={onSavePolicy}
      >
        <DialogContentText>{t('policy.body')}</DialogContentText>
        <PolicyFields
          type={editingPolicy?.type ?? 'ssh-key'}
          value={policy}
          onChange={setPolicy}
          catalog={catalog}
        />
      </FormDialog>

      <FormDialog
        open={replacing !== undefined}
        title={t('form.replaceTitle', { name: replacing?.name ?? '' })}
        error={actionError}
        cancelLabel={t('actions.cancel')}
        submitLabel={t('actions.replace')}
        submitDisabled={busy}
        onClose={closeDialogs}
        onSubmit={onReplace}
      >
        <SecretField
          type={replacing?.type ?? 'ssh-key'}
          value={newSecret}
          onChange={setNewSecret}
          labels={secretLabels}
        />
      </FormDialog>

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
