import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  entityCatalogPath,
  formatDateTime,
} from '@opsdeck/plugin-opsdeck-common';
import type { MonitoringClient } from '@opsdeck/plugin-monitoring';
import { Typography } from '@material-ui/core';
import { useLoad } from '../useLoad';
import { useWorkbenchClients } from '../clients';
import { workbenchTranslationRef } from '../translation';
import { CardState, LinkList, MoreLink, shortRef } from './common';

type AlertEvent = Awaited<
  ReturnType<MonitoringClient['alerts']>
>['items'][number];

const SHOWN = 8;
/** How many of the newest alert states the card reads (owner-scoped by the backend). */
const READ = 100;

/** A firing state that has not been resolved since and is not a channel's test send. */
export function firingNow(event: AlertEvent): boolean {
  return event.status === 'firing' && !event.resolved && !event.test;
}

/**
 * Alerts firing now on what the person may see (the alerts API answers only
 * states on entities the catalog shows them), among the newest received
 * states; each links to its entity, the rest to the Monitoring page.
 */
export function AlertsCard() {
  const { t } = useTranslationRef(workbenchTranslationRef);
  const clients = useWorkbenchClients();
  const data = useLoad(
    async () =>
      (await clients.monitoring.alerts({ limit: READ })).items.filter(
        firingNow,
      ),
    [clients],
  );
  const firing = data.value ?? [];
  return (
    <CardState loading={data.loading || !data.value} error={data.error}>
      {firing.length > 0 ? (
        <Typography variant="subtitle2" color="error" component="p">
          {t('alerts.count', { count: firing.length })}
        </Typography>
      ) : null}
      <LinkList
        testId="workbench-alerts"
        empty={t('alerts.none')}
        items={firing.slice(0, SHOWN).map(event => ({
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
