import { useState } from 'react';
import { Progress } from '@backstage/core-components';
import {
  Box,
  Button,
  Chip,
  DialogContentText,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import type { MonitoringClient } from '../../api';
import useAsync from 'react-use/esm/useAsync';
import { ActionDialog } from './ActionDialog';
import {
  ErrorNotice,
  shortRef,
  useAbilities,
  useMonitoringClient,
  useT,
} from './hooks';

type ChannelSummary = Awaited<ReturnType<MonitoringClient['channels']>>[number];
type TestResult = Awaited<ReturnType<MonitoringClient['testChannel']>>;

/**
 * A channel's message for the sample test alert, rendered by the backend
 * with the sender's own code, and Send test, which sends it for real.
 */
function ChannelTestDialog(props: {
  channel: ChannelSummary;
  onClose(): void;
}) {
  const t = useT();
  const client = useMonitoringClient();
  const { channel } = props;
  const preview = useAsync(
    () => client.previewChannel(channel.name),
    [client, channel.name],
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [sent, setSent] = useState<TestResult['deliveries']>();
  const send = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setSent((await client.testChannel(channel.name)).deliveries);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <ActionDialog
      form
      title={t('channels.previewTitle', { channel: channel.name })}
      onClose={props.onClose}
      error={error}
      errorKey="channels.sendFailed"
      busy={busy || !preview.value}
      actionLabel={t('channels.send')}
      actionTestId="channel-test-send"
      onAction={send}
    >
      <DialogContentText>
        {t('channels.previewHint', { type: channel.type })}
      </DialogContentText>
      {preview.loading && <Progress />}
      {preview.error && (
        <ErrorNotice
          t={t}
          error={preview.error}
          keyName="channels.previewFailed"
        />
      )}
      {preview.value && (
        <Box data-testid="channel-preview">
          <Typography variant="subtitle2">{preview.value.title}</Typography>
          <Box
            component="pre"
            style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}
          >
            {preview.value.text}
          </Box>
        </Box>
      )}
      {sent?.map(d => (
        <Typography key={d.id} data-testid="channel-test-result">
          {t('channels.result', { state: t(`deliveries.${d.state}`) })}
          {d.error ? ` — ${d.error}` : ''}
        </Typography>
      ))}
    </ActionDialog>
  );
}

/** The configured notification channels; preview and test send for those who may. */
export function ChannelsTab() {
  const t = useT();
  const client = useMonitoringClient();
  const { canTestChannels } = useAbilities();
  const channels = useAsync(() => client.channels(), [client]);
  const [testing, setTesting] = useState<ChannelSummary>();
  if (channels.loading) return <Progress />;
  if (channels.error) return <ErrorNotice t={t} error={channels.error} />;
  const items = channels.value ?? [];
  if (items.length === 0) return <Typography>{t('channels.empty')}</Typography>;
  return (
    <>
      <Table size="small" data-testid="channels-table">
        <TableHead>
          <TableRow>
            <TableCell>{t('channels.name')}</TableCell>
            <TableCell>{t('channels.type')}</TableCell>
            <TableCell>{t('channels.owners')}</TableCell>
            {canTestChannels && <TableCell />}
          </TableRow>
        </TableHead>
        <TableBody>
          {items.map(c => (
            <TableRow key={c.name} data-testid={`channel-${c.name}`}>
              <TableCell>{c.name}</TableCell>
              <TableCell>{c.type}</TableCell>
              <TableCell>
                {c.owners.length === 0
                  ? t('channels.everyOwner')
                  : c.owners.map(o => (
                      <Chip key={o} size="small" label={shortRef(o)} />
                    ))}
              </TableCell>
              {canTestChannels && (
                <TableCell>
                  <Button
                    size="small"
                    variant="outlined"
                    onClick={() => setTesting(c)}
                  >
                    {t('channels.preview')}
                  </Button>
                </TableCell>
              )}
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {testing && (
        <ChannelTestDialog
          channel={testing}
          onClose={() => setTesting(undefined)}
        />
      )}
    </>
  );
}
