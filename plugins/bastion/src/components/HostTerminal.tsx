import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { Progress } from '@backstage/core-components';
import { Box, Button, TextField, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { FormEvent, useId, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { bastionTranslationRef } from '../translation/translation';
import { OutlinedField } from './common';
import { bastionErrorTexts } from './refusals';
import { TerminalView, type TerminalStatus } from './TerminalView';
import { messageOf, useBastionClient } from './useBastion';

/** Upload and download over SFTP in the running session (as its login user). */
function FileTransfer(props: { sessionId: string }) {
  const { t } = useTranslationRef(bastionTranslationRef);
  const client = useBastionClient();
  // one per terminal: a workspace shows several
  const fieldId = `bastion-file-path${useId()}`;
  const [path, setPath] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const upload = async (file: File | undefined) => {
    if (!file) return;
    // empty path: the home directory; a path ending in / is a directory
    const dir = path.trim();
    let target = dir || file.name;
    if (dir.endsWith('/')) target = `${dir}${file.name}`;
    try {
      const { bytes } = await client.upload(props.sessionId, target, file);
      setMessage({
        ok: true,
        text: t('files.uploaded', { path: target, bytes: String(bytes) }),
      });
    } catch (e) {
      setMessage({ ok: false, text: messageOf(e, bastionErrorTexts(t)) });
    }
  };
  const download = async () => {
    try {
      const blob = await client.download(props.sessionId, path.trim());
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = path.trim().split('/').pop() || 'download';
      a.click();
      URL.revokeObjectURL(a.href);
      setMessage(undefined);
    } catch (e) {
      setMessage({ ok: false, text: messageOf(e, bastionErrorTexts(t)) });
    }
  };
  return (
    <Box display="flex" alignItems="center" style={{ gap: 8 }} mb={1}>
      <OutlinedField
        id={fieldId}
        label={t('files.path')}
        helperText={t('files.pathHelp')}
        value={path}
        onChange={setPath}
      />
      <Button size="small" variant="outlined" component="label">
        {t('terminal.upload')}
        <input type="file" hidden onChange={e => upload(e.target.files?.[0])} />
      </Button>
      <Button
        size="small"
        variant="outlined"
        disabled={!path.trim()}
        onClick={download}
      >
        {t('terminal.download')}
      </Button>
      {message && (
        <Alert severity={message.ok ? 'success' : 'error'}>
          {message.text}
        </Alert>
      )}
    </Box>
  );
}

/** One host's terminal: access check, MFA step-up, status, file transfer, then the terminal. */
export function HostTerminal(props: {
  host: string;
  /** In front (a workspace tab): see TerminalView. */
  active?: boolean;
  /** CSS height of the terminal (default 70vh). */
  height?: string;
}) {
  const { t } = useTranslationRef(bastionTranslationRef);
  const name = props.host;
  const client = useBastionClient();
  const access = useAsyncRetry(() => client.hostAccess(name), [client, name]);
  const [status, setStatus] = useState<TerminalStatus>({ kind: 'connecting' });
  const [attempt, setAttempt] = useState(0);
  const [code, setCode] = useState('');
  const [mfaError, setMfaError] = useState<string>();
  const codeId = `bastion-step-up-code${useId()}`;

  const verify = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await client.verifyMfa(code);
      setMfaError(undefined);
      access.retry();
    } catch (err) {
      setMfaError(messageOf(err));
    }
  };

  let body;
  if (access.loading) body = <Progress />;
  else if (access.error) {
    body = (
      <Alert severity="error">
        {t('common.error', { message: access.error.message })}
      </Alert>
    );
  } else if (access.value && access.value.grants.length === 0) {
    body = <Alert severity="warning">{t('access.noGrant')}</Alert>;
  } else if (access.value?.mfaRequired && !access.value.mfaVerified) {
    body = (
      <form onSubmit={verify}>
        <Alert severity="info">{t('access.mfaNeeded')}</Alert>
        <Box display="flex" mt={2} style={{ gap: 8 }}>
          <TextField
            id={codeId}
            label={t('access.codeLabel')}
            value={code}
            onChange={e => setCode(e.target.value)}
            variant="outlined"
            size="small"
            inputProps={{ inputMode: 'numeric', maxLength: 6 }}
          />
          <Button type="submit" variant="contained" color="primary">
            {t('access.verify')}
          </Button>
        </Box>
        {mfaError && <Alert severity="error">{mfaError}</Alert>}
      </form>
    );
  } else {
    body = (
      <>
        <Box mb={1} display="flex" alignItems="center" style={{ gap: 8 }}>
          <Typography data-testid="terminal-status" variant="body2">
            {status.kind === 'connecting' && t('terminal.connecting')}
            {status.kind === 'connected' &&
              t('terminal.connected', { login: status.login, id: status.id })}
            {status.kind === 'closed' &&
              (status.reason
                ? t('terminal.closed', { reason: status.reason })
                : t('terminal.disconnected'))}
          </Typography>
          {(status.kind === 'closed' || status.kind === 'error') && (
            <Button
              size="small"
              variant="outlined"
              onClick={() => setAttempt(a => a + 1)}
            >
              {t('terminal.reconnect')}
            </Button>
          )}
        </Box>
        {status.kind === 'error' && (
          <Alert severity="error">{status.message}</Alert>
        )}
        {status.kind === 'connected' && <FileTransfer sessionId={status.id} />}
        <TerminalView
          key={attempt}
          host={name}
          onStatus={setStatus}
          active={props.active}
          height={props.height}
        />
      </>
    );
  }
  return <Box data-testid="host-terminal">{body}</Box>;
}
