import useAsync from 'react-use/esm/useAsync';
import {
  Button,
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
import { formatDateTime } from '@opsdeck/plugin-opsdeck-common';
import type { EntityName } from '../api';
import { CicdErrorAlert } from './ErrorAlert';
import { ResultChip } from './ResultChip';
import { formatDuration, useCicdClient, useT } from './useCicd';

const LIMIT = 20;

/** One page of the entity's builds across its jobs, newest first. */
export function BuildList(props: {
  entity: EntityName;
  page: number;
  onPage: (page: number) => void;
  onOpen: (job: string, number: number) => void;
}) {
  const { entity, page, onPage, onOpen } = props;
  const t = useT();
  const client = useCicdClient();
  const { value, loading, error } = useAsync(
    () => client.builds(entity, page, LIMIT),
    [client, entity.kind, entity.namespace, entity.name, page],
  );
  if (loading) return <Progress />;
  if (error) return <CicdErrorAlert error={error} />;
  const builds = value?.builds ?? [];
  return (
    <Paper>
      <Typography variant="h6" style={{ padding: 16 }}>
        {t('list.title')}
      </Typography>
      {value?.errors.map(e => (
        <Alert severity="warning" key={e.job}>
          {t('list.jobError', { job: e.job, message: e.message })}
        </Alert>
      ))}
      <TableContainer>
        <Table size="small" aria-label={t('list.caption')}>
          <TableHead>
            <TableRow>
              <TableCell>{t('list.job')}</TableCell>
              <TableCell>{t('list.build')}</TableCell>
              <TableCell>{t('list.branch')}</TableCell>
              <TableCell>{t('list.result')}</TableCell>
              <TableCell>{t('list.started')}</TableCell>
              <TableCell>{t('list.duration')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {builds.length === 0 && (
              <TableRow>
                <TableCell colSpan={6}>{t('list.empty')}</TableCell>
              </TableRow>
            )}
            {builds.map(b => (
              <TableRow
                key={`${b.job}#${b.number}`}
                data-testid="cicd-build-row"
              >
                <TableCell>
                  {b.source === 'intake' ? (
                    <>
                      {b.jobPath}{' '}
                      <Chip
                        size="small"
                        variant="outlined"
                        label={t('list.intake', { system: b.instance })}
                      />
                    </>
                  ) : (
                    b.job
                  )}
                </TableCell>
                <TableCell>
                  <Link
                    component="button"
                    aria-label={t('list.open', {
                      build: `${b.job} #${b.number}`,
                    })}
                    onClick={() => onOpen(b.job, b.number)}
                  >
                    #{b.number}
                  </Link>
                </TableCell>
                <TableCell>{b.branch ?? ''}</TableCell>
                <TableCell>
                  <ResultChip result={b.result} />
                </TableCell>
                <TableCell>{formatDateTime(b.timestamp)}</TableCell>
                <TableCell>{formatDuration(b.durationMillis)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
      <div style={{ display: 'flex', gap: 8, padding: 8 }}>
        <Button disabled={page === 0} onClick={() => onPage(page - 1)}>
          {t('list.newer')}
        </Button>
        <Button disabled={!value?.more} onClick={() => onPage(page + 1)}>
          {t('list.older')}
        </Button>
      </div>
    </Paper>
  );
}
