import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef } from 'react';
import { useT } from './common';
import { refusalText } from './refusals';
import { messageOf, useBastionClient } from './useBastion';

/** Where a terminal's session is. */
export type TerminalStatus =
  | { kind: 'connecting' }
  | { kind: 'connected'; login: string; id: string }
  | { kind: 'closed'; reason: string }
  | { kind: 'error'; message: string };

/** Runs one terminal session on a host in the page's xterm.js. */
export function TerminalView(props: {
  host: string;
  onStatus(s: TerminalStatus): void;
  /** Shown (a workspace tab in front): the terminal is fitted to its box and focused. */
  active?: boolean;
  /** CSS height of the terminal's box (default 70vh). */
  height?: string;
}) {
  const { host, onStatus, active = true } = props;
  const fitRef = useRef<{ fit(): void; focus(): void }>();
  const client = useBastionClient();
  const t = useT();
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
    fitRef.current = {
      fit: () => fit.fit(),
      focus: () => term.focus(),
    };
    // a box that changes size (a tab brought to front, a resized layout) refits the terminal;
    // a hidden box has no size and is left as it is
    const observer =
      typeof ResizeObserver === 'undefined'
        ? undefined
        : new ResizeObserver(() => {
            if (ref.current?.offsetWidth) fit.fit();
          });
    observer?.observe(ref.current!);
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
            onStatus({ kind: 'error', message: refusalText(t, msg) });
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
      fitRef.current = undefined;
      observer?.disconnect();
      window.removeEventListener('resize', onWindowResize);
      dataSub.dispose();
      resizeSub.dispose();
      ws?.close();
      term.dispose();
    };
  }, [client, host, onStatus, t]);

  useEffect(() => {
    if (!active) return;
    fitRef.current?.fit();
    fitRef.current?.focus();
  }, [active]);

  return (
    <div
      ref={ref}
      data-testid="bastion-terminal"
      style={{ height: props.height ?? '70vh', background: '#000', padding: 4 }}
    />
  );
}
