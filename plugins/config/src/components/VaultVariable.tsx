import { useState } from 'react';
import { Button, MenuItem, TextField, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import useAsync from 'react-use/esm/useAsync';
import { useConfigClient, useT } from './hooks';

/**
 * Picks a vault credential (from those the user can see, never a typed
 * name) for a variable: writes `{ "vault": "<credential>" }` into the
 * variables' defaults. Only password credentials are offered.
 */
export function VaultVariable({
  variables,
  onChange,
}: {
  /** The variables editor's JSON text. */
  variables: string;
  onChange: (next: string) => void;
}) {
  const t = useT();
  const client = useConfigClient();
  const credentials = useAsync(() => client.listVaultCredentials(), [client]);
  const [name, setName] = useState('');
  const [credential, setCredential] = useState('');
  const [error, setError] = useState<string>();
  const passwords = (credentials.value ?? []).filter(
    c => c.type === 'password',
  );

  const use = () => {
    let parsed: Record<string, any>;
    try {
      parsed = JSON.parse(variables || '{}');
    } catch {
      setError(t('editor.badJson'));
      return;
    }
    setError(undefined);
    const next = {
      ...parsed,
      defaults: { ...(parsed.defaults ?? {}), [name]: { vault: credential } },
    };
    onChange(JSON.stringify(next, null, 2));
  };

  return (
    <div data-testid="config-vault-variable" style={{ marginTop: 8 }}>
      <Typography variant="subtitle2">{t('vault.title')}</Typography>
      <Typography variant="body2" color="textSecondary">
        {t('vault.help')}
      </Typography>
      {credentials.error ? (
        <Alert severity="info">
          {t('vault.cannotList', { error: credentials.error.message })}
        </Alert>
      ) : (
        <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
          <TextField
            id="config-vault-variable-name"
            label={t('vault.variable')}
            value={name}
            onChange={e => setName(e.target.value)}
            margin="dense"
          />
          <TextField
            id="config-vault-credential"
            select
            label={t('vault.credential')}
            value={credential}
            onChange={e => setCredential(e.target.value)}
            margin="dense"
            style={{ minWidth: 240 }}
            helperText={
              !credentials.loading && passwords.length === 0
                ? t('vault.none')
                : undefined
            }
          >
            {passwords.map(c => (
              <MenuItem key={c.name} value={c.name}>
                {c.name}
                {c.owner ? ` (${c.owner})` : ''}
                {c.allowedUses && !c.allowedUses.includes('config-secret')
                  ? ` — ${t('vault.notForConfig')}`
                  : ''}
              </MenuItem>
            ))}
          </TextField>
          <Button
            variant="outlined"
            disabled={!/^[A-Za-z_][\w]*$/.test(name) || !credential}
            onClick={use}
          >
            {t('vault.use')}
          </Button>
        </div>
      )}
      {error && <Alert severity="error">{error}</Alert>}
    </div>
  );
}
