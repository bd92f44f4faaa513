import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { cmdbTranslationRef } from '../translation/translation';
import { ReactNode, useEffect, useMemo, useState } from 'react';
import { coreApis, useApi } from '@backstage/frontend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, Progress } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  Box,
  Button,
  Chip,
  CircularProgress,
  LinearProgress,
  List,
  ListItem,
  ListItemText,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import useAsync from 'react-use/esm/useAsync';
import { CmdbClient } from '../api/CmdbClient';
import type { HostDetail } from '../api/types';
import { formatBytes, messageOf, statusOf } from './format';
import { HostKeyFact } from './HostKeyFact';
import { ReachabilityChip } from './ReachabilityChip';
import { useFormat } from './useFormat';
import { formatDateTime } from '@opsdeck/plugin-opsdeck-common';

function Fact(props: { label: string; children: ReactNode }) {
  return (
    <Box display="flex" py={0.5} data-testid="host-fact">
      <Box width={140} flexShrink={0}>
        <Typography variant="body2" color="textSecondary" component="dt">
          {props.label}
        </Typography>
      </Box>
      <Typography variant="body2" component="dd" style={{ margin: 0 }}>
        {props.children}
      </Typography>
    </Box>
  );
}

type CollectState =
  | { status: 'idle' }
  | { status: 'running' }
  | { status: 'done' }
  | { status: 'failed'; error: Error };

/**
 * "Host facts" card on the catalog page of a host (`kind: Resource`,
 * `spec.type: host`): collected facts, "Collect now" and recent activity.
 */
export function HostFactsCard() {
  const { t } = useTranslationRef(cmdbTranslationRef);
  const activityStatus = (status: string) => {
    if (status === 'succeeded') return t('card.activitySucceeded');
    if (status === 'failed') return t('card.activityFailed');
    if (status === 'initiated') return t('card.activityInitiated');
    return status;
  };
  const { duration } = useFormat();
  const { entity } = useEntity();
  const discoveryApi = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  const client = useMemo(
    () => new CmdbClient(discoveryApi, fetchApi),
    [discoveryApi, fetchApi],
  );
  const name = entity.metadata.name;
  const entityRef = stringifyEntityRef(entity);

  const initial = useAsync(() => client.getHost(name), [client, name]);
  const [host, setHost] = useState<HostDetail | undefined>();
  const [collect, setCollect] = useState<CollectState>({ status: 'idle' });
  useEffect(() => setHost(initial.value), [initial.value]);

  const [activityVersion, setActivityVersion] = useState(0);
  const activity = useAsync(
    () => client.recentActivity(entityRef, 10),
    [client, entityRef, activityVersion],
  );

  const onCollect = async () => {
    setCollect({ status: 'running' });
    try {
      setHost(await client.collectHost(name));
      setCollect({ status: 'done' });
    } catch (error) {
      setCollect({ status: 'failed', error: error as Error });
    }
    setActivityVersion(v => v + 1);
  };

  const loadErrorText = (error: Error) => {
    switch (statusOf(error)) {
      case 403:
        return t('errors.forbiddenHost');
      case 404:
        return t('errors.notFound');
      case 401:
        return t('errors.unauthorized');
      default:
        return t('errors.generic', { message: messageOf(error) });
    }
  };

  const collectButton = (
    <Button
      variant="outlined"
      color="primary"
      onClick={onCollect}
      disabled={collect.status === 'running' || !host}
      startIcon={
        collect.status === 'running' ? <CircularProgress size={16} /> : null
      }
    >
      {t('card.collectNow')}
    </Button>
  );

  const unknown = t('card.unknownValue');
  const hasFacts = host?.collectedAt !== undefined;

  return (
    <InfoCard title={t('card.title')} action={collectButton}>
      {initial.loading && <Progress />}
      {initial.error && (
        <Alert severity="error">{loadErrorText(initial.error)}</Alert>
      )}

      {collect.status === 'running' && (
        <Box mb={2} role="status">
          <Typography variant="body2">{t('card.collecting')}</Typography>
          <LinearProgress />
        </Box>
      )}
      {collect.status === 'done' && (
        <Box mb={2}>
          <Alert severity="success">{t('card.collected')}</Alert>
        </Box>
      )}
      {collect.status === 'failed' && (
        <Box mb={2}>
          <Alert severity="error">
            {statusOf(collect.error) === 403
              ? t('errors.forbiddenCollect')
              : t('errors.generic', { message: messageOf(collect.error) })}
          </Alert>
        </Box>
      )}

      {host && (
        <>
          {host.reachable === false && (
            <Box mb={2}>
              <Alert severity="error" data-testid="host-unreachable">
                <div>
                  {t('card.unreachable', { error: host.error ?? unknown })}
                </div>
                <div>
                  {host.lastOkAt
                    ? t('card.lastReachable', {
                        time: formatDateTime(host.lastOkAt),
                      })
                    : t('card.neverReachable')}
                </div>
              </Alert>
            </Box>
          )}
          <Box component="dl" m={0}>
            <Fact label={t('card.address')}>
              {`${host.address}:${host.port}`}{' '}
              <ReachabilityChip reachable={host.reachable} error={host.error} />
            </Fact>
            <HostKeyFact
              client={client}
              name={name}
              version={activityVersion}
              onReset={() => setActivityVersion(v => v + 1)}
            />
            {!hasFacts && (
              <Typography variant="body2" paragraph>
                {t('card.noFacts')}
              </Typography>
            )}
            {hasFacts && (
              <>
                <Fact label={t('card.os')}>{host.os ?? unknown}</Fact>
                <Fact label={t('card.kernel')}>{host.kernel ?? unknown}</Fact>
                <Fact label={t('card.cpu')}>
                  {host.cpuCount !== undefined
                    ? t('card.cpuValue', {
                        cores: String(host.cpuCount),
                        model: host.cpuModel ?? '',
                      })
                    : unknown}
                </Fact>
                <Fact label={t('card.memory')}>
                  {host.memTotalBytes !== undefined
                    ? formatBytes(host.memTotalBytes)
                    : unknown}
                </Fact>
                <Fact label={t('card.disks')}>
                  {host.disks && host.disks.length > 0
                    ? host.disks.map(disk => {
                        const percent =
                          disk.sizeBytes > 0
                            ? Math.round(
                                (disk.usedBytes / disk.sizeBytes) * 100,
                              )
                            : 0;
                        return (
                          <Box
                            key={disk.mount}
                            mb={0.5}
                            data-testid="host-disk"
                          >
                            <Typography variant="body2">
                              <strong>{disk.mount}</strong>{' '}
                              {t('card.diskUsage', {
                                used: formatBytes(disk.usedBytes),
                                size: formatBytes(disk.sizeBytes),
                                percent: String(percent),
                              })}
                            </Typography>
                            <LinearProgress
                              variant="determinate"
                              value={Math.min(100, percent)}
                              color={percent >= 90 ? 'secondary' : 'primary'}
                              aria-label={disk.mount}
                            />
                          </Box>
                        );
                      })
                    : unknown}
                </Fact>
                <Fact label={t('card.ips')}>
                  {host.ips && host.ips.length > 0
                    ? host.ips.join(', ')
                    : unknown}
                </Fact>
                <Fact label={t('card.uptime')}>
                  {host.uptimeSeconds !== undefined
                    ? duration(host.uptimeSeconds)
                    : unknown}
                </Fact>
                <Fact label={t('card.collectedAt')}>
                  {host.collectedAt && (
                    <time dateTime={host.collectedAt}>
                      {formatDateTime(host.collectedAt)}
                    </time>
                  )}
                </Fact>
              </>
            )}
          </Box>
        </>
      )}

      <Box mt={2}>
        <Typography variant="subtitle2">{t('card.activity')}</Typography>
        {activity.loading && <Progress />}
        {activity.error && (
          <Alert severity="warning">
            {statusOf(activity.error) === 403
              ? t('errors.forbiddenActivity')
              : t('errors.generic', { message: messageOf(activity.error) })}
          </Alert>
        )}
        {activity.value && activity.value.items.length === 0 && (
          <Typography variant="body2" color="textSecondary">
            {t('card.noActivity')}
          </Typography>
        )}
        {activity.value && activity.value.items.length > 0 && (
          <List dense disablePadding aria-label={t('card.activity')}>
            {activity.value.items.map(event => (
              <ListItem
                key={event.id}
                disableGutters
                data-testid="host-activity"
              >
                <ListItemText
                  primary={
                    <>
                      {event.action}{' '}
                      <Chip
                        size="small"
                        label={activityStatus(event.status)}
                        color={
                          event.status === 'failed' ? 'secondary' : 'default'
                        }
                      />
                    </>
                  }
                  secondary={`${event.actor} · ${formatDateTime(event.time)}${
                    event.error ? ` · ${event.error}` : ''
                  }`}
                />
              </ListItem>
            ))}
          </List>
        )}
      </Box>
    </InfoCard>
  );
}
