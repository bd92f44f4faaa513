import { useState } from 'react';
import { Progress } from '@backstage/core-components';
import { Box, Button, Chip, Paper, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import useAsync from 'react-use/esm/useAsync';
import type { RunOutputGroup } from '../api';
import { useErrorText, useJobsClient, useT } from './common';

const preStyle = {
  background: '#111',
  padding: 8,
  overflow: 'auto',
  maxHeight: 300,
  margin: 0,
};

function Group(props: { group: RunOutputGroup }) {
  const t = useT();
  const g = props.group;
  const status = t(`status.${g.status}` as 'status.failed');
  return (
    <Paper
      style={{ padding: 16, marginTop: 12 }}
      data-testid="jobs-output-group"
    >
      <Typography variant="subtitle1">
        {g.exitCode === undefined
          ? t('runPage.groupTitleNoCode', {
              count: g.hosts.length,
              status,
            })
          : t('runPage.groupTitle', {
              count: g.hosts.length,
              status,
              exitCode: String(g.exitCode),
            })}
      </Typography>
      <Box display="flex" flexWrap="wrap" style={{ gap: 4 }} my={1}>
        {g.hosts.map(h => (
          <Chip key={h} size="small" label={h} />
        ))}
      </Box>
      {g.truncated && (
        <Alert severity="warning">{t('runPage.truncated')}</Alert>
      )}
      <Typography variant="subtitle2">{t('runPage.stdout')}</Typography>
      <pre
        data-testid="jobs-group-stdout"
        style={{ ...preStyle, color: '#eee' }}
      >
        {g.stdout || t('runPage.noOutput')}
      </pre>
      {g.stderr && (
        <>
          <Typography variant="subtitle2">{t('runPage.stderr')}</Typography>
          <pre style={{ ...preStyle, color: '#f88' }}>{g.stderr}</pre>
        </>
      )}
    </Paper>
  );
}

function GroupList(props: { runId: string }) {
  const t = useT();
  const client = useJobsClient();
  const errorText = useErrorText();
  const state = useAsync(
    () => client.getRunGroups(props.runId),
    [client, props.runId],
  );
  if (state.loading) return <Progress />;
  if (state.error)
    return <Alert severity="error">{errorText(state.error)}</Alert>;
  const { hosts, groups } = state.value!;
  return (
    <Box data-testid="jobs-output-groups">
      <Typography variant="body2">
        {groups.length === 1
          ? t('runPage.allSame')
          : t('runPage.groupsSummary', {
              hosts: String(hosts),
              groups: String(groups.length),
            })}
      </Typography>
      {groups.map(g => (
        <Group key={g.digest} group={g} />
      ))}
    </Box>
  );
}

/**
 * "Compare outputs" on a finished run: the hosts grouped by identical result,
 * largest group first, one sample output per group (like Ansible's summary).
 */
export function OutputGroups(props: { runId: string }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  return (
    <Box mt={2}>
      <Button variant="outlined" size="small" onClick={() => setOpen(o => !o)}>
        {open ? t('runPage.hideCompare') : t('runPage.compare')}
      </Button>
      {open && <GroupList runId={props.runId} />}
    </Box>
  );
}
