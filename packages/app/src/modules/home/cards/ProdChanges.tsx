import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  cmdbHostReadPermission,
  formatDateTime,
  sqlInstanceReadPermission,
  type AuditEvent,
} from '@opsdeck/plugin-opsdeck-common';
import { useLoad } from '../useLoad';
import { useWorkbenchClients } from '../clients';
import { workbenchTranslationRef } from '../translation';
import { CardState, LinkList, MoreLink, shortRef } from './common';

const SHOWN = 8;

/** Whether an audit event changed something on prod (its target or its meta says so). */
export function onProd(event: AuditEvent, prodRefs: Set<string>): boolean {
  const target = event.target.toLowerCase();
  if (prodRefs.has(target)) return true;
  const meta = event.meta ?? {};
  if (meta.environment === 'prod') return true;
  const ref = meta.instanceRef ?? meta.host;
  return typeof ref === 'string' && prodRefs.has(ref.toLowerCase());
}

/** The audit log's latest events on prod hosts and prod databases. */
export function ProdChangesCard() {
  const { t } = useTranslationRef(workbenchTranslationRef);
  const clients = useWorkbenchClients();
  const hostsRead = usePermission({ permission: cmdbHostReadPermission });
  const sqlRead = usePermission({ permission: sqlInstanceReadPermission });
  const data = useLoad(async () => {
    if (hostsRead.loading || sqlRead.loading) return undefined;
    const [hosts, instances, events] = await Promise.all([
      hostsRead.allowed
        ? clients.cmdb.listHosts({ environment: 'prod', limit: 500 })
        : undefined,
      sqlRead.allowed ? clients.sql.instances() : undefined,
      clients.audit.listEvents({ limit: 200 }),
    ]);
    const prodRefs = new Set<string>();
    for (const host of hosts?.items ?? []) {
      prodRefs.add(host.entityRef.toLowerCase());
      prodRefs.add(host.name.toLowerCase());
    }
    for (const instance of instances ?? []) {
      if (instance.environment === 'prod') {
        prodRefs.add(instance.ref.toLowerCase());
      }
    }
    return events.items.filter(e => onProd(e, prodRefs)).slice(0, SHOWN);
  }, [
    clients,
    hostsRead.loading,
    hostsRead.allowed,
    sqlRead.loading,
    sqlRead.allowed,
  ]);
  return (
    <CardState loading={data.loading || !data.value} error={data.error}>
      <LinkList
        testId="workbench-prod"
        empty={t('prod.none')}
        items={(data.value ?? []).map(event => ({
          key: String(event.id),
          to: '/audit',
          primary: `${event.action} · ${shortRef(event.target)}`,
          secondary: `${shortRef(event.actor)} · ${t(
            `prod.outcome.${event.outcome}`,
          )} · ${formatDateTime(event.time)}`,
        }))}
      />
      <MoreLink to="/audit" />
    </CardState>
  );
}
