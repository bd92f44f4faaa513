import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  entityCatalogPath,
  formatDateTime,
} from '@opsdeck/plugin-opsdeck-common';
import { Typography } from '@material-ui/core';
import { useLoad } from '../useLoad';
import { useWorkbenchClients } from '../clients';
import { workbenchTranslationRef } from '../translation';
import { CardState, LinkList, MoreLink, shortRef } from './common';

const SHOWN = 8;

/**
 * Alerts firing now on what the person may see: the alerts API filters and
 * counts them (`state: 'firing'`, owner-scoped: only states on entities the
 * catalog shows them); the newest link to their entity, the rest to the
 * Monitoring page.
 */
export function AlertsCard() {
  const { t } = useTranslationRef(workbenchTranslationRef);
  const clients = useWorkbenchClients();
  const data = useLoad(
    () => clients.monitoring.alerts({ state: 'firing', limit: SHOWN }),
    [clients],
  );
  const firing = data.value?.items ?? [];
  const total = data.value?.total ?? 0;
  return (
    <CardState loading={data.loading || !data.value} error={data.error}>
      {total > 0 ? (
        <Typography variant="subtitle2" color="error" component="p">
          {t('alerts.count', { count: total })}
        </Typography>
      ) : null}
      <LinkList
        testId="workbench-alerts"
        empty={t('alerts.none')}
        items={firing.map(event => ({
          key: String(event.id),
          to:
            (event.entityRef && entityCatalogPath(event.entityRef)) ||
            '/monitoring',
          primary: event.summary || event.alertname,
          secondary: [
            event.severity,
            event.entityRef ? shortRef(event.entityRef) : undefined,
            t('alerts.since', { time: formatDateTime(event.startsAt) }),
            event.acknowledgement
              ? t('alerts.acknowledged', {
                  by: shortRef(event.acknowledgement.by),
                })
              : undefined,
          ]
            .filter(Boolean)
            .join(' · '),
        }))}
      />
      <MoreLink to="/monitoring" />
    </CardState>
  );
}
