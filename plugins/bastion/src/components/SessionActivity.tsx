import { Box, Grid, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import useAsync from 'react-use/esm/useAsync';
import { DataTable, formatTime, useT } from './common';
import type { BastionClient } from '../api/BastionClient';
import { messageOf, useBastionClient } from './useBastion';

/**
 * Beside the replay: what was typed (the command log, with what the rules decided) and what
 * the host's kernel saw run (exec audit, where an admin enabled it for the host).
 */
export function SessionActivity(props: { id: string }) {
  const t = useT();
  const client = useBastionClient();
  const state = useAsync(async () => {
    const [commands, execs] = await Promise.all([
      client.searchCommands({ sessionId: props.id }),
      client.sessionExecs(props.id),
    ]);
    return { commands: [...commands.items].reverse(), execs };
  }, [client, props.id]);
  if (state.loading) return null;
  if (state.error) {
    return <Alert severity="error">{messageOf(state.error)}</Alert>;
  }
  const { commands, execs } = state.value!;
  return (
    <Box mt={2}>
      <Grid container spacing={2}>
        <Grid item xs={12} md={6}>
          <Typography variant="h6">{t('activity.typed')}</Typography>
          <DataTable
            ariaLabel={t('activity.typed')}
            items={commands}
            rowKey={c => c.id}
            columns={[
              { title: t('commands.at'), cell: c => formatTime(c.at) },
              {
                title: t('commands.command'),
                cell: c => <code>{c.command}</code>,
              },
              {
                title: t('commands.action'),
                cell: c =>
                  c.reviewedBy ? `${c.action} (${c.reviewedBy})` : c.action,
              },
            ]}
          />
        </Grid>
        <Grid item xs={12} md={6}>
          <Typography variant="h6">{t('activity.ran')}</Typography>
          <ExecList execs={execs} />
        </Grid>
      </Grid>
    </Box>
  );
}

function ExecList(props: {
  execs: Awaited<ReturnType<BastionClient['sessionExecs']>>;
}) {
  const t = useT();
  const { execs } = props;
  if (execs.execAudit === undefined) {
    return <Alert severity="info">{t('activity.off')}</Alert>;
  }
  if (execs.execAudit !== 'on') {
    return <Alert severity="warning">{execs.execAudit}</Alert>;
  }
  return (
    <DataTable
      ariaLabel={t('activity.ran')}
      items={execs.items}
      rowKey={e => e.event}
      columns={[
        { title: t('commands.at'), cell: e => formatTime(e.at) },
        {
          title: t('activity.program'),
          cell: e => <code>{e.argv.join(' ')}</code>,
        },
        { title: 'uid', cell: e => e.uid ?? '' },
        { title: t('activity.cwd'), cell: e => e.cwd ?? '' },
      ]}
    />
  );
}
