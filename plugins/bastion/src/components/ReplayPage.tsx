import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { Content, Header, Page, Progress } from '@backstage/core-components';
import {
  Box,
  Button,
  Grid,
  MenuItem,
  Slider,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { useParams, useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { parseCast, type Cast } from './cast';
import { SessionActivity } from './SessionActivity';
import { CommandTimeline, SessionFacts } from './ReplayDetails';
import { bastionTranslationRef } from '../translation/translation';
import { refusalText } from './refusals';
import { messageOf, useBastionClient } from './useBastion';

const TICK_MS = 50;

/** A small asciicast v2 player over xterm.js: play/pause, seek, speed. */
function Player(props: {
  cast: Cast;
  /** A seek asked from outside (a click on a command); `n` tells repeated clicks apart. */
  seekRequest?: { to: number; n: number };
}) {
  const { cast, seekRequest } = props;
  const { t } = useTranslationRef(bastionTranslationRef);
  const ref = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal>();
  const state = useRef({ time: 0, next: 0 });
  const [playing, setPlaying] = useState(true);
  const [speed, setSpeed] = useState(1);
  const [time, setTime] = useState(0);
  const duration = cast.events.length
    ? cast.events[cast.events.length - 1][0]
    : 0;

  const apply = (upTo: number) => {
    const term = termRef.current!;
    const s = state.current;
    let chunk = '';
    while (s.next < cast.events.length && cast.events[s.next][0] <= upTo) {
      const [, kind, data] = cast.events[s.next];
      if (kind === 'o') chunk += data;
      else if (kind === 'r') {
        if (chunk) term.write(chunk);
        chunk = '';
        const [c, r] = data.split('x').map(Number);
        if (c > 0 && r > 0) term.resize(c, r);
      }
      s.next++;
    }
    if (chunk) term.write(chunk);
    s.time = upTo;
  };

  useEffect(() => {
    const term = new Terminal({
      cols: cast.width,
      rows: cast.height,
      disableStdin: true,
      fontSize: 14,
    });
    term.open(ref.current!);
    termRef.current = term;
    state.current = { time: 0, next: 0 };
    return () => term.dispose();
  }, [cast]);

  useEffect(() => {
    if (!playing) return undefined;
    const timer = setInterval(() => {
      const next = Math.min(
        duration,
        state.current.time + (TICK_MS / 1000) * speed,
      );
      apply(next);
      setTime(next);
      if (next >= duration) setPlaying(false);
    }, TICK_MS);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [playing, speed, duration]);

  const seek = (to: number) => {
    const term = termRef.current!;
    term.reset();
    term.resize(cast.width, cast.height);
    state.current = { time: 0, next: 0 };
    apply(to);
    setTime(to);
  };

  useEffect(() => {
    if (!seekRequest || !termRef.current) return;
    setPlaying(false);
    seek(Math.min(seekRequest.to, duration));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [seekRequest]);

  return (
    <>
      <Box display="flex" alignItems="center" style={{ gap: 16 }} mb={1}>
        <Button
          variant="outlined"
          onClick={() => {
            if (!playing && time >= duration) seek(0);
            setPlaying(p => !p);
          }}
        >
          {playing ? t('replay.pause') : t('replay.play')}
        </Button>
        <TextField
          id="bastion-replay-speed"
          select
          size="small"
          label={t('replay.speed')}
          value={speed}
          onChange={e => setSpeed(Number(e.target.value))}
        >
          {[0.5, 1, 2, 4, 8].map(s => (
            <MenuItem key={s} value={s}>{`${s}×`}</MenuItem>
          ))}
        </TextField>
        <Box flex={1}>
          <Typography variant="caption">{t('replay.position')}</Typography>
          <Slider
            aria-label={t('replay.position')}
            min={0}
            max={Math.max(duration, 0.001)}
            step={0.1}
            value={time}
            onChange={(_e, v) => seek(v as number)}
          />
        </Box>
        <Typography variant="body2" data-testid="replay-time">
          {`${time.toFixed(1)} / ${duration.toFixed(1)} s`}
        </Typography>
      </Box>
      <div
        ref={ref}
        data-testid="bastion-replay"
        style={{ background: '#000', padding: 4 }}
      />
    </>
  );
}

/** Read-only live view of a session (admins). */
function LiveView(props: { id: string }) {
  const client = useBastionClient();
  const { t } = useTranslationRef(bastionTranslationRef);
  const ref = useRef<HTMLDivElement>(null);
  const [closed, setClosed] = useState<string>();
  useEffect(() => {
    const term = new Terminal({ disableStdin: true, fontSize: 14 });
    term.open(ref.current!);
    let ws: WebSocket | undefined;
    client.socket('/ws/watch', { session: props.id }).then(s => {
      ws = s;
      s.onmessage = ev => {
        const msg = JSON.parse(String(ev.data));
        if (msg.type === 'output') term.write(msg.data);
        else if (msg.type === 'closed') setClosed(msg.reason);
        else if (msg.type === 'error') setClosed(refusalText(t, msg));
      };
    });
    return () => {
      ws?.close();
      term.dispose();
    };
  }, [client, props.id, t]);
  return (
    <>
      {closed && <Alert severity="info">{closed}</Alert>}
      <div
        ref={ref}
        data-testid="bastion-watch"
        style={{ background: '#000', padding: 4 }}
      />
    </>
  );
}

/** /bastion/sessions/:id — replay, or with ?watch=1 the live view. */
export function ReplayPage() {
  const { t } = useTranslationRef(bastionTranslationRef);
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const watch = params.get('watch') === '1';
  const client = useBastionClient();
  const cast = useAsync(
    async () => (watch ? undefined : parseCast(await client.recording(id))),
    [client, id, watch],
  );
  // who, where, when and the typed commands, beside the player
  const details = useAsync(async () => {
    const [session, commands] = await Promise.all([
      client.getSession(id),
      client.searchCommands({ sessionId: id }),
    ]);
    return { session, commands: [...commands.items].reverse() };
  }, [client, id]);
  const [seekRequest, setSeekRequest] = useState<{ to: number; n: number }>();
  let body;
  if (watch) {
    body = (
      <>
        <Alert severity="info">{t('replay.watching')}</Alert>
        <LiveView id={id} />
      </>
    );
  } else if (cast.loading) body = <Progress />;
  else if (cast.error)
    body = <Alert severity="error">{messageOf(cast.error)}</Alert>;
  else
    body = (
      <>
        <Grid container spacing={2}>
          <Grid item xs={12} lg={8}>
            <Player cast={cast.value!} seekRequest={seekRequest} />
          </Grid>
          <Grid item xs={12} lg={4}>
            {details.value ? (
              <CommandTimeline
                session={details.value.session}
                commands={details.value.commands}
                onSeek={to => setSeekRequest(r => ({ to, n: (r?.n ?? 0) + 1 }))}
              />
            ) : null}
          </Grid>
        </Grid>
        <SessionActivity id={id} />
      </>
    );
  return (
    <Page themeId="tool">
      <Header title={t('replay.title', { id: id.slice(0, 8) })} />
      <Content>
        {details.value ? (
          <SessionFacts session={details.value.session} />
        ) : null}
        {details.error ? (
          <Alert severity="error">{messageOf(details.error)}</Alert>
        ) : null}
        {body}
      </Content>
    </Page>
  );
}
