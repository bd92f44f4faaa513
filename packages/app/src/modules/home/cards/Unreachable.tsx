import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { formatDateTime } from '@opsdeck/plugin-opsdeck-common';
import { Typography } from '@material-ui/core';
import { useLoad } from '../useLoad';
import { useWorkbenchClients } from '../clients';
import { workbenchTranslationRef } from '../translation';
import { CardState, LinkList, MoreLink } from './common';

/** Hosts whose last fact collection failed. */
export function UnreachableCard() {
  const { t } = useTranslationRef(workbenchTranslationRef);
  const clients = useWorkbenchClients();
  const data = useLoad(
    () => clients.cmdb.listHosts({ reachable: 'false', limit: 8 }),
    [clients],
  );
  const total = data.value?.total ?? data.value?.items.length ?? 0;
  return (
    <CardState loading={data.loading || !data.value} error={data.error}>
      {total > 0 ? (
        <Typography variant="subtitle2" color="error" component="p">
          {t('unreachable.count', { count: total })}
        </Typography>
      ) : null}
      <LinkList
        testId="workbench-unreachable"
        empty={t('unreachable.none')}
        items={(data.value?.items ?? []).map(host => ({
          key: host.name,
          to: `/catalog/default/resource/${encodeURIComponent(host.name)}`,
          primary: host.name,
          secondary: [
            host.address,
            host.error,
            formatDateTime(host.collectedAt),
          ]
            .filter(Boolean)
            .join(' · '),
        }))}
      />
      <MoreLink to="/hosts" />
    </CardState>
  );
}
