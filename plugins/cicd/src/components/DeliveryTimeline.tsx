import useAsync from 'react-use/esm/useAsync';
import {
  Chip,
  Link,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { Progress } from '@backstage/core-components';
import type {
  DeploymentStatus,
  TimelineItem,
} from '@opsdeck/plugin-cicd-common';
import { formatDateTime } from '@opsdeck/plugin-opsdeck-common';
import type { EntityName } from '../api';
import { ArtifactLink } from './ArtifactLink';
import { CicdErrorAlert } from './ErrorAlert';
import { ResultChip } from './ResultChip';
import { type CicdT, useCicdClient, useT } from './useCicd';

const STATUS_COLORS: Record<DeploymentStatus, string> = {
  SUCCESS: '#2e7d32',
  FAILURE: '#c62828',
  IN_PROGRESS: '#1565c0',
  ROLLED_BACK: '#ef6c00',
};

const short = (commit?: string) => (commit ? commit.slice(0, 8) : '');

/** What one step of the delivery was. */
function What(props: {
  item: TimelineItem;
  t: CicdT;
  entity: EntityName;
  onOpen: (job: string, number: number) => void;
}) {
  const { item, t, onOpen, entity } = props;
  switch (item.kind) {
    case 'commit':
      return <code>{item.commit}</code>;
    case 'build':
      return (
        <>
          <Link
            component="button"
            onClick={() => onOpen(item.job, item.number)}
          >
            {item.job} #{item.number}
          </Link>{' '}
          <ResultChip result={item.result} />
        </>
      );
    case 'artifact':
      return (
        <>
          {item.path ? (
            <ArtifactLink
              entity={entity}
              job={item.job}
              number={item.number}
              name={item.name}
              path={item.path}
            />
          ) : (
            item.name
          )}
          {item.digest ? (
            <Typography variant="caption" component="div">
              <code>{item.digest}</code>
            </Typography>
          ) : null}
        </>
      );
    default:
      return (
        <>
          {t('timeline.deployed', {
            version: item.version ?? item.digest ?? '',
            environment: item.environment,
            system: item.system,
          })}{' '}
          <Chip
            size="small"
            label={t(`timeline.status.${item.status}`)}
            style={{
              backgroundColor: STATUS_COLORS[item.status],
              color: '#fff',
            }}
          />
          <div>
            {item.build ? (
              <Link
                component="button"
                data-testid="cicd-timeline-deploy-build"
                onClick={() => onOpen(item.build!.job, item.build!.number)}
              >
                {t('timeline.fromBuild', {
                  build: `${item.build.job} #${item.build.number}`,
                })}
              </Link>
            ) : (
              <Typography variant="caption">{t('timeline.noBuild')}</Typography>
            )}
          </div>
        </>
      );
  }
}

/**
 * The component's delivery timeline (Hygieia's commit → build → artifact →
 * deployment), oldest first; a deployment links to the build of its commit.
 */
export function DeliveryTimeline(props: {
  entity: EntityName;
  onOpen: (job: string, number: number) => void;
}) {
  const { entity, onOpen } = props;
  const t = useT();
  const client = useCicdClient();
  const { value, loading, error } = useAsync(
    () => client.timeline(entity),
    [client, entity.kind, entity.namespace, entity.name],
  );
  if (loading) return <Progress />;
  if (error) return <CicdErrorAlert error={error} />;
  const items = value?.items ?? [];
  return (
    <Paper style={{ marginTop: 16 }}>
      <Typography variant="h6" style={{ padding: 16 }}>
        {t('timeline.title')}
      </Typography>
      {value?.errors.map(e => (
        <Alert severity="warning" key={e.job}>
          {t('list.jobError', { job: e.job, message: e.message })}
        </Alert>
      ))}
      <TableContainer>
        <Table size="small" aria-label={t('timeline.caption')}>
          <TableHead>
            <TableRow>
              <TableCell>{t('timeline.when')}</TableCell>
              <TableCell>{t('timeline.step')}</TableCell>
              <TableCell>{t('timeline.what')}</TableCell>
              <TableCell>{t('timeline.commit')}</TableCell>
              <TableCell>{t('timeline.link')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {items.length === 0 && (
              <TableRow>
                <TableCell colSpan={5}>{t('timeline.empty')}</TableCell>
              </TableRow>
            )}
            {items.map((item, i) => (
              <TableRow
                key={i}
                data-testid="cicd-timeline-row"
                data-kind={item.kind}
              >
                <TableCell>{formatDateTime(item.timestamp)}</TableCell>
                <TableCell>
                  <Chip
                    size="small"
                    variant="outlined"
                    label={t(`timeline.kind.${item.kind}`)}
                  />
                </TableCell>
                <TableCell>
                  <What item={item} t={t} entity={entity} onOpen={onOpen} />
                </TableCell>
                <TableCell>
                  <code>{short(item.commit)}</code>
                </TableCell>
                <TableCell>
                  {'url' in item && item.url ? (
                    <Link href={item.url} target="_blank" rel="noopener">
                      {t('timeline.open')}
                    </Link>
                  ) : null}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </Paper>
  );
}
