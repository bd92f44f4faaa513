import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { Link, LinkButton } from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import type { Grant } from '@opsdeck/plugin-bastion';
import {
  cmdbHostReadPermission,
  formatDateTime,
} from '@opsdeck/plugin-opsdeck-common';
import { Box, Typography } from '@material-ui/core';
import { useLoad } from '../useLoad';
import { useWorkbenchClients } from '../clients';
import { workbenchTranslationRef } from '../translation';
import { CardState, MoreLink } from './common';

const MAX_HOSTS = 8;
const SELECTOR_KEYS = ['host', 'system', 'owner', 'tag'] as const;

/** The signed-in person's access grants in force, each host with a terminal link. */
export function AccessCard() {
  const { t } = useTranslationRef(workbenchTranslationRef);
  const clients = useWorkbenchClients();
  const hostsRead = usePermission({ permission: cmdbHostReadPermission });
  const data = useLoad(async () => {
    if (hostsRead.loading) return undefined;
    const { items } = await clients.bastion.myGrants();
    // a host grant names its host; a system/owner/tag grant is expanded
    // through the CMDB (when the person may read hosts)
    return Promise.all(
      items.map(async (grant: Grant) => {
        if (grant.selector.host) {
          return { grant, hosts: [grant.selector.host] };
        }
        if (!hostsRead.allowed) return { grant, hosts: [] };
        const page = await clients.cmdb.listHosts({
          system: grant.selector.system,
          owner: grant.selector.owner,
          tag: grant.selector.tag,
          limit: MAX_HOSTS,
        });
        return { grant, hosts: page.items.map(h => h.name) };
      }),
    );
  }, [clients, hostsRead.loading, hostsRead.allowed]);
  const selectorText = (grant: Grant) =>
    SELECTOR_KEYS.filter(k => grant.selector[k])
      .map(k => t(`access.selector.${k}`, { value: grant.selector[k]! }))
      .join(' · ');
  return (
    <CardState loading={data.loading || !data.value} error={data.error}>
      {data.value?.length === 0 ? (
        <Box data-testid="workbench-access-none">
          <Typography variant="body2" color="textSecondary" paragraph>
            {t('access.none')}
          </Typography>
          <Link to="/create/templates/default/request-server-access">
            {t('access.request')}
          </Link>
        </Box>
      ) : null}
      {(data.value ?? []).map(({ grant, hosts }) => (
        <Box key={grant.id} mb={1} data-testid="workbench-grant">
          <Typography variant="subtitle2" component="h3">
            {selectorText(grant)}
          </Typography>
          <Typography variant="caption" color="textSecondary">
            {t('access.until', {
              login: grant.loginUser,
              time: formatDateTime(grant.expiresAt),
            })}
          </Typography>
          {hosts.length === 0 ? (
            <Typography variant="body2" color="textSecondary">
              {t('access.noHost')}
            </Typography>
          ) : (
            <Box display="flex" flexWrap="wrap" style={{ gap: 8 }} mt={0.5}>
              {hosts.map(host => (
                <LinkButton
                  key={host}
                  to={`/bastion/hosts/${encodeURIComponent(host)}`}
                  size="small"
                  variant="outlined"
                  color="primary"
                  aria-label={`${t('access.terminal')} ${host}`}
                  data-testid="workbench-terminal"
                >
                  {host}
                </LinkButton>
              ))}
            </Box>
          )}
        </Box>
      ))}
      {data.value?.length ? <MoreLink to="/bastion/assets" /> : null}
    </CardState>
  );
}
