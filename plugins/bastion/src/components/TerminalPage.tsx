import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { Content, Header, Page, Progress } from '@backstage/core-components';
import { Box, Button, TextField, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { FormEvent, useEffect, useRef, useState } from 'react';
import { useParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { bastionTranslationRef } from '../translation/translation';
import { OutlinedField } from './common';
import { messageOf, useBastionClient } from './useBastion';

type Status =
  | { kind: 'connecting' }
  | { kind: 'connected'; login: string; id: string }
  | { kind: 'closed'; reason: string }
  | { kind: 'error'; message: string };

/** Runs one terminal session on a host in the page's xterm.js. */
function TerminalView(props: { host: string; onStatus(s: Status): void }) {
  const { host, onStatus } = props;
  const client = useBastionClient();
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const term = new Terminal({
      cursorBlink: true,
      fontSize: 14,
      convertEol: false,
      scrollback: 5000,
      fontFamily:
        'Menlo, "DejaVu Sans Mono", "Noto Sans Mono CJK SC", monospace',
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.loadAddon(new WebLinksAddon());
    term.open(ref.current!);
    fit.fit();
    term.focus();
    let ws: WebSocket | undefined;
    let ended = false;
    let disposed = false;
    const send = (m: object) => {
      if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m));
    };
    onStatus({ kind: 'connecting' });
    client
      .socket('/ws/terminal', {
        host,
        cols: String(term.cols),
        rows: String(term.rows),
      })
      .then(socket => {
        if (disposed) {
          socket.close();
          return;
        }
        ws = socket;
        socket.onmessage = ev => {
          const msg = JSON.parse(String(ev.data));
          if (msg.type === 'output') term.write(msg.data);
          else if (msg.type === 'ready') {
            onStatus({
              kind: 'connected',
              login: msg.loginUser,
              id: msg.sessionId,
            });
          } else if (msg.type === 'error') {
            ended = true;
            onStatus({ kind: 'error', message: msg.message });
          } else if (msg.type === 'closed') {
            ended = true;
            term.write(`\r\n\x1b[1;31m[opsdeck] ${msg.reason}\x1b[0m\r\n`);
            onStatus({ kind: 'closed', reason: msg.reason });
          }
        };
        socket.onclose = () => {
          if (!ended && !disposed) {
            onStatus({ kind: 'closed', reason: '' });
            term.write('\r\n\x1b[1;31m[opsdeck] disconnected\x1b[0m\r\n');
          }
        };
      })
      .catch(e => onStatus({ kind: 'error', message: messageOf(e) }));
    const dataSub = term.onData(data => send({ type: 'input', data }));
    const resizeSub = term.onResize(({ cols, rows }) =>
      send({ type: 'resize', cols, rows }),
    );
    const onWindowResize = () => fit.fit();
    window.addEventListener('resize', onWindowResize);
    return () => {
      disposed = true;
      window.removeEventListener('resize', onWindowResize);
      dataSub.dispose();
      resizeSub.dispose();
      ws?.close();
      term.dispose();
    };
  }, [client, host, onStatus]);

  return (
    <div
      ref={ref}
      data-testid="bastion-terminal"
      style={{ height: '70vh', background: '#000', padding: 4 }}
    />
  );
}

/** Upload and download over SFTP in the running session (as its login user). */
function FileTransfer(props: { sessionId: string }) {
  const { t } = useTranslationRef(bastionTranslationRef);
  const client = useBastionClient();
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
      setMessage({ ok: false, text: messageOf(e) });
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
      setMessage({ ok: false, text: messageOf(e) });
    }
  };
  return (
    <Box display="flex" alignItems="center" style={{ gap: 8 }} mb={1}>
      <OutlinedField
        id="bastion-file-path"
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

/** The terminal page of one host: access check, MFA step-up, then the terminal. */
export function TerminalPage() {
  const { t } = useTranslationRef(bastionTranslationRef);
  const { name = '' } = useParams();
  const client = useBastionClient();
  const access = useAsyncRetry(() => client.hostAccess(name), [client, name]);
  const [status, setStatus] = useState<Status>({ kind: 'connecting' });
  const [attempt, setAttempt] = useState(0);
  const [code, setCode] = useState('');
  const [mfaError, setMfaError] = useState<string>();

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
            id="bastion-step-up-code"
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
        <TerminalView key={attempt} host={name} onStatus={setStatus} />
      </>
    );
  }
  return (
    <Page themeId="tool">
      <Header
        title={t('terminal.title', { host: name })}
        subtitle={t('page.subtitle')}
      />
      <Content>{body}</Content>
    </Page>
  );
}
