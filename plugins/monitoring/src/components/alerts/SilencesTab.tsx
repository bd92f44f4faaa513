import { useState } from 'react';
import { Link, Progress } from '@backstage/core-components';
import {
  Box,
  Button,
  Chip,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import type {
  RuleTemplateSummary,
  Silence,
} from '@opsdeck/plugin-monitoring-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { SilenceDialog } from './SilenceDialog';
import {
  ErrorNotice,
  entityPath,
  formatTime,
  shortRef,
  useAbilities,
  useMonitoringClient,
  useT,
} from './hooks';

const matcherValue = (silence: Silence, name: string) =>
  silence.matchers.find(m => m.name === name && !m.isRegex)?.value;

const ORDER = { active: 0, pending: 1, expired: 2 } as const;

/** Alertmanager's silences: list, create (one entity), expire. */
export function SilencesTab(props: { templates: RuleTemplateSummary[] }) {
  const t = useT();
  const client = useMonitoringClient();
  const { canSilence } = useAbilities();
  const silences = useAsyncRetry(async () => {
    const items = await client.silences();
    return [...items].sort(
      (a, b) =>
        (ORDER[a.status.state] ?? 3) - (ORDER[b.status.state] ?? 3) ||
        b.startsAt.localeCompare(a.startsAt),
    );
  }, [client]);
  const [creating, setCreating] = useState(false);
  const [expireError, setExpireError] = useState<unknown>();

  const expire = async (id: string) => {
    setExpireError(undefined);
    try {
      await client.expireSilence(id);
    } catch (e) {
      setExpireError(e);
    }
    silences.retry();
  };

  return (
    <Box>
      <Box display="flex" alignItems="center" mb={1} style={{ gap: 16 }}>
        {canSilence && (
          <Button
            color="primary"
            variant="contained"
            onClick={() => setCreating(true)}
          >
            {t('silences.new')}
          </Button>
        )}
        <Button variant="outlined" onClick={silences.retry}>
          {t('common.refresh')}
        </Button>
      </Box>
      {expireError !== undefined && (
        <ErrorNotice
          t={t}
          error={expireError}
          keyName="silences.expireFailed"
        />
      )}
      {silences.loading && !silences.value && <Progress />}
      {silences.error && <ErrorNotice t={t} error={silences.error} />}
      {silences.value && silences.value.length === 0 && (
        <Typography>{t('silences.empty')}</Typography>
      )}
      {silences.value && silences.value.length > 0 && (
        <Table size="small" data-testid="silences-table">
          <TableHead>
            <TableRow>
              <TableCell>{t('silences.entity')}</TableCell>
              <TableCell>{t('silences.alertname')}</TableCell>
              <TableCell>{t('silences.state')}</TableCell>
              <TableCell>{t('silences.startsAt')}</TableCell>
              <TableCell>{t('silences.endsAt')}</TableCell>
              <TableCell>{t('silences.createdBy')}</TableCell>
              <TableCell>{t('silences.comment')}</TableCell>
              <TableCell>{t('silences.actions')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {silences.value.map(s => {
              const entity = matcherValue(s, 'opsdeck_entity');
              const to = entity ? entityPath(entity) : undefined;
              return (
                <TableRow key={s.id} data-testid={`silence-${s.id}`}>
                  <TableCell>
                    {entity && to ? (
                      <Link to={to}>{shortRef(entity)}</Link>
                    ) : (
                      entity ?? t('common.none')
                    )}
                  </TableCell>
                  <TableCell>
                    {matcherValue(s, 'alertname') ?? t('silences.anyAlert')}
                  </TableCell>
                  <TableCell>
                    <Chip
                      size="small"
                      label={t(`silences.${s.status.state}`)}
                      color={
                        s.status.state === 'active' ? 'primary' : 'default'
                      }
                    />
                  </TableCell>
                  <TableCell>{formatTime(s.startsAt)}</TableCell>
                  <TableCell>{formatTime(s.endsAt)}</TableCell>
                  <TableCell>{shortRef(s.createdBy)}</TableCell>
                  <TableCell>{s.comment}</TableCell>
                  <TableCell>
                    {canSilence && s.status.state !== 'expired' && entity && (
                      <Button size="small" onClick={() => expire(s.id)}>
                        {t('silences.expire')}
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      {creating && (
        <SilenceDialog
          templates={props.templates}
          onClose={() => setCreating(false)}
          onSubmit={async input => {
            await client.createSilence(input);
            setCreating(false);
            silences.retry();
          }}
        />
      )}
    </Box>
  );
}
