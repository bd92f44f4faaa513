import { useMemo } from 'react';
import {
  coreApis,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, Progress } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Box, Button, Chip, Typography } from '@material-ui/core';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { SqlClient } from '../api/SqlClient';
import { sqlTranslationRef } from '../translation/translation';
import { ErrorAlert } from './common';

/**
 * "Database connection" card on the catalog page of a database or cache:
 * reachability and server version from the sql backend's connection check.
 */
export function ConnectionCard() {
  const { t } = useTranslationRef(sqlTranslationRef);
  const { entity } = useEntity();
  const discoveryApi = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  const client = useMemo(
    () => new SqlClient(discoveryApi, fetchApi),
    [discoveryApi, fetchApi],
  );
  const ref = stringifyEntityRef(entity);
  const check = useAsyncRetry(() => client.check(ref), [client, ref]);
  const engine = (entity.spec as { engine?: string } | undefined)?.engine;
  return (
    <InfoCard title={t('entityCard.title')}>
      {check.loading && (
        <>
          <Typography variant="body2">{t('entityCard.checking')}</Typography>
          <Progress />
        </>
      )}
      <ErrorAlert error={check.error} />
      {check.value && (
        <Box>
          <Chip
            size="small"
            color={check.value.reachable ? 'primary' : 'secondary'}
            label={
              check.value.reachable
                ? t('entityCard.reachable')
                : t('entityCard.unreachable')
            }
          />
          <Typography variant="body2" style={{ marginTop: 8 }}>
            {t('entityCard.engine')}: {engine ?? '-'}
          </Typography>
          {check.value.reachable ? (
            <Typography variant="body2" data-testid="sql-server-version">
              {t('entityCard.version')}: {check.value.version ?? '-'}
            </Typography>
          ) : (
            <Typography variant="body2" color="error">
              {check.value.error}
            </Typography>
          )}
        </Box>
      )}
      <Box mt={1}>
        <Button size="small" disabled={check.loading} onClick={check.retry}>
          {t('entityCard.recheck')}
        </Button>
        <Button size="small" href="/sql">
          {t('entityCard.openConsole')}
        </Button>
      </Box>
    </InfoCard>
  );
}
