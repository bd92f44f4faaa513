import { useMemo, useState } from 'react';
import {
  coreApis,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, Progress } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  formatDateTime,
  sqlInstanceExceptionPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { Box, Button, Chip, TextField, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { type InstanceCheck, SqlClient } from '../api/SqlClient';
import { sqlTranslationRef } from '../translation/translation';
import { ErrorAlert } from './common';

/** The read login's status and the instance's exception, with admin controls. */
function ReadLogin(props: {
  check: InstanceCheck;
  client: SqlClient;
  entityRef: string;
  onChanged(): void;
}) {
  const { t } = useTranslationRef(sqlTranslationRef);
  const manage = usePermission({ permission: sqlInstanceExceptionPermission });
  const [reason, setReason] = useState('');
  const [error, setError] = useState<Error>();
  const { readLogin, exception } = props.check;
  const act = (fn: () => Promise<unknown>) =>
    fn().then(() => {
      setReason('');
      setError(undefined);
      props.onChanged();
    }, setError);
  return (
    <Box mt={1}>
      {readLogin && (
        <Typography variant="body2" data-testid="sql-read-login">
          {t('entityCard.readLogin')}:{' '}
          {readLogin.readOnly
            ? t('entityCard.readOnly')
            : t('entityCard.notReadOnly', {
                problems: readLogin.problems.join('; '),
              })}
        </Typography>
      )}
      {exception && (
        <Alert severity="warning" data-testid="sql-exception">
          {t('entityCard.exception', {
            user: exception.setBy,
            at: formatDateTime(exception.setAt),
            reason: exception.reason,
          })}
        </Alert>
      )}
      {manage.allowed && exception && (
        <Button
          size="small"
          onClick={() =>
            act(() => props.client.clearException(props.entityRef))
          }
        >
          {t('entityCard.endException')}
        </Button>
      )}
      {manage.allowed && !exception && readLogin && !readLogin.readOnly && (
        <Box display="flex" alignItems="center">
          <TextField
            id="sql-exception-reason"
            size="small"
            label={t('entityCard.exceptionReason')}
            value={reason}
            onChange={e => setReason(e.target.value)}
          />
          <Button
            size="small"
            disabled={!reason.trim()}
            onClick={() =>
              act(() =>
                props.client.setException(props.entityRef, reason.trim()),
              )
            }
          >
            {t('entityCard.makeException')}
          </Button>
        </Box>
      )}
      <ErrorAlert error={error} />
    </Box>
  );
}

/**
 * "Database connection" card on the catalog page of a database or cache:
 * reachability and server version from the sql backend's connection check
 * (with the read credential), whether that login is read-only, and the
 * instance's exception when an admin made one.
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
          <ReadLogin
            check={check.value}
            client={client}
            entityRef={ref}
            onChanged={check.retry}
          />
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
