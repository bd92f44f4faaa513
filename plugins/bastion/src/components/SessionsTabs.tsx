import { Link } from '@backstage/core-components';
import { Box, Button, Typography } from '@material-ui/core';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import type { Session } from '../api/BastionClient';
import {
  DataTable,
  ErrorAlert,
  formatDuration,
  formatTime,
  Loaded,
  shortUserRef,
  useEditableList,
  useT,
} from './common';
import { useBastionClient } from './useBastion';

function SessionLinks(props: {
  session: Session;
  admin?: boolean;
  onTerminate?(id: string): void;
}) {
  const t = useT();
  const { session: s, onTerminate } = props;
  return (
    <Box display="flex" style={{ gap: 8, whiteSpace: 'nowrap' }}>
      <Link to={`/bastion/sessions/${s.id}`}>{t('common.replay')}</Link>
      {props.admin && s.live && (
        <Link to={`/bastion/sessions/${s.id}?watch=1`}>
          {t('common.watch')}
        </Link>
      )}
      {onTerminate && s.live && (
        <Button
          size="small"
          color="secondary"
          variant="outlined"
          onClick={() => onTerminate(s.id)}
        >
          {t('common.terminate')}
        </Button>
      )}
    </Box>
  );
}

/** Sessions with links to replay; for admins also the instance, watch and terminate. */
function SessionsTable(props: {
  items: Session[];
  admin?: boolean;
  onTerminate?(id: string): void;
}) {
  const t = useT();
  if (props.items.length === 0)
    return <Typography>{t('common.none')}</Typography>;
  return (
    <DataTable
      ariaLabel={t('tabs.sessions')}
      items={props.items}
      rowKey={s => s.id}
      rowTestId={s => `session-${s.id}`}
      columns={[
        { title: t('common.user'), cell: s => shortUserRef(s.userRef) },
        { title: t('common.host'), cell: s => s.host },
        { title: t('common.login'), cell: s => s.loginUser },
        { title: t('common.started'), cell: s => formatTime(s.startedAt) },
        {
          title: t('common.ended'),
          cell: s => (s.live ? t('common.live') : formatTime(s.endedAt)),
        },
        { title: t('common.reason'), cell: s => s.endReason },
        { title: t('common.bytes'), cell: s => s.bytesOut },
        !!props.admin && {
          title: t('common.instance'),
          cell: s => s.instanceId,
        },
        !!props.admin && {
          title: t('common.idle'),
          cell: s =>
            s.idleSeconds === undefined ? '' : formatDuration(t, s.idleSeconds),
        },
        !!props.admin && {
          title: t('common.watchers'),
          cell: s => s.watchers,
        },
        {
          title: t('common.actions'),
          cell: s => (
            <SessionLinks
              session={s}
              admin={props.admin}
              onTerminate={props.onTerminate}
            />
          ),
        },
      ]}
    />
  );
}

/** The caller's sessions (all sessions for those who may read them). */
export function SessionsTab() {
  const client = useBastionClient();
  const state = useAsyncRetry(() => client.listSessions(), [client]);
  return (
    <Loaded state={state}>{v => <SessionsTable items={v.items} />}</Loaded>
  );
}

/** Open sessions of every backend instance, to watch or terminate. */
export function LiveTab() {
  const { client, state, error, attempt } = useEditableList(c => c.listLive());
  const terminate = (id: string) =>
    attempt(async () => {
      await client.terminate(id);
      state.retry();
      // a session on another backend instance ends at that instance's next poll
      setTimeout(() => state.retry(), 2000);
    });
  return (
    <>
      <ErrorAlert error={error} />
      <Button size="small" onClick={() => state.retry()}>
        ↻
      </Button>
      <Loaded state={state}>
        {v => <SessionsTable items={v.items} admin onTerminate={terminate} />}
      </Loaded>
    </>
  );
}
