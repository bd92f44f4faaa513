import { EmptyState, LinkButton } from '@backstage/core-components';
import {
  Box,
  Button,
  Chip,
  InputAdornment,
  TextField,
  Typography,
} from '@material-ui/core';
import SearchIcon from '@material-ui/icons/Search';
import { Alert } from '@material-ui/lab';
import { useMemo, useState } from 'react';
import type { Asset } from '../api/BastionClient';
import { useT, type BastionT } from './common';
import { formatDateTime } from '@opsdeck/plugin-opsdeck-common';

/** The ticket template that asks for server access (the workbench's access card links it too). */
export const REQUEST_ACCESS_PATH =
  '/create/templates/default/request-server-access';

const shortRef = (ref?: string) => ref?.replace(/^[a-z]+:default\//, '');

/** Assets whose name, address, system, environment, tags or OS contain the query. */
export function filterAssets(assets: Asset[], query: string): Asset[] {
  const q = query.trim().toLocaleLowerCase();
  if (!q) return assets;
  return assets.filter(a =>
    [
      a.name,
      `${a.address}:${a.port}`,
      shortRef(a.system),
      a.environment,
      a.facts?.os,
      ...a.tags,
    ].some(v => v?.toLocaleLowerCase().includes(q)),
  );
}

export type AssetGroup = {
  system?: string;
  environment?: string;
  assets: Asset[];
};

/** Assets grouped by system, then environment, in the order the API gives them. */
export function groupAssets(assets: Asset[]): AssetGroup[] {
  const groups = new Map<string, AssetGroup>();
  for (const a of assets) {
    const key = `${a.system ?? ''}\u0000${a.environment ?? ''}`;
    const group = groups.get(key) ?? {
      system: a.system,
      environment: a.environment,
      assets: [],
    };
    group.assets.push(a);
    groups.set(key, group);
  }
  return [...groups.values()];
}

function FactsSummary(props: { asset: Asset; t: BastionT }) {
  const { asset, t } = props;
  const facts = asset.facts;
  let state: string = t('assets.notCollected');
  let color: 'primary' | 'secondary' | 'default' = 'default';
  if (facts?.reachable === true) {
    state = t('assets.reachable');
    color = 'primary';
  } else if (facts?.reachable === false) {
    state = t('assets.unreachable');
    color = 'secondary';
  }
  const details = [
    facts?.os,
    facts?.cpuCount !== undefined &&
      t('assets.cpus', { cpus: String(facts.cpuCount) }),
    facts?.memTotalMiB !== undefined &&
      t('assets.memory', { mib: String(facts.memTotalMiB) }),
  ].filter(Boolean);
  return (
    <Box display="flex" alignItems="center" flexWrap="wrap" style={{ gap: 6 }}>
      <Chip
        size="small"
        color={color}
        variant={color === 'default' ? 'outlined' : 'default'}
        label={state}
        data-testid="asset-reachability"
      />
      {asset.mfaRequired && (
        <Chip size="small" variant="outlined" label={t('assets.mfa')} />
      )}
      {details.length > 0 && (
        <Typography variant="caption" color="textSecondary">
          {details.join(' · ')}
        </Typography>
      )}
    </Box>
  );
}

function AssetRow(props: { asset: Asset; onOpen(host: string): void }) {
  const { asset } = props;
  const t = useT();
  return (
    <Box
      data-testid="my-asset"
      display="flex"
      alignItems="center"
      py={1}
      style={{ gap: 8, borderBottom: '1px solid rgba(128,128,128,0.2)' }}
    >
      <Box flex={1} minWidth={0}>
        <Typography variant="subtitle2" component="div">
          {asset.name}{' '}
          <Typography
            variant="caption"
            color="textSecondary"
            component="span"
            style={{ whiteSpace: 'nowrap' }}
          >
            {asset.address}:{asset.port}
          </Typography>
        </Typography>
        <FactsSummary asset={asset} t={t} />
        <Typography variant="caption" color="textSecondary" component="div">
          {t('assets.logins', { logins: asset.loginUsers.join(', ') })} ·{' '}
          {t('assets.until', { time: formatDateTime(asset.expiresAt) })}
        </Typography>
      </Box>
      <Button
        size="small"
        variant="contained"
        color="primary"
        aria-label={t('assets.openOn', { host: asset.name })}
        onClick={() => props.onOpen(asset.name)}
      >
        {t('assets.open')}
      </Button>
    </Box>
  );
}

/** The person's assets grouped by system and environment, with search and one-click terminals. */
export function AssetList(props: {
  assets: Asset[];
  truncated?: boolean;
  onOpen(host: string): void;
}) {
  const t = useT();
  const [query, setQuery] = useState('');
  const groups = useMemo(
    () => groupAssets(filterAssets(props.assets, query)),
    [props.assets, query],
  );
  if (props.assets.length === 0) {
    return (
      <Box data-testid="my-assets-empty">
        <EmptyState
          missing="data"
          title={t('assets.emptyTitle')}
          description={t('assets.empty')}
          action={
            <LinkButton
              to={REQUEST_ACCESS_PATH}
              variant="contained"
              color="primary"
            >
              {t('assets.request')}
            </LinkButton>
          }
        />
      </Box>
    );
  }
  return (
    <Box>
      <TextField
        id="my-assets-search"
        fullWidth
        size="small"
        variant="outlined"
        label={t('assets.search')}
        value={query}
        onChange={e => setQuery(e.target.value)}
        InputProps={{
          startAdornment: (
            <InputAdornment position="start">
              <SearchIcon fontSize="small" />
            </InputAdornment>
          ),
        }}
      />
      {props.truncated && (
        <Box mt={1}>
          <Alert severity="info">{t('assets.truncated')}</Alert>
        </Box>
      )}
      {groups.length === 0 && (
        <Box mt={2}>
          <Typography variant="body2" color="textSecondary">
            {t('assets.noMatch', { query: query.trim() })}
          </Typography>
        </Box>
      )}
      {groups.map(group => {
        const title = [
          shortRef(group.system) ?? t('assets.noSystem'),
          group.environment ?? t('assets.noEnvironment'),
        ].join(' · ');
        return (
          <Box
            key={title}
            mt={2}
            component="section"
            aria-label={title}
            data-testid="my-assets-group"
          >
            <Typography variant="overline" component="h3">
              {title} (
              {t('assets.count', { hosts: String(group.assets.length) })})
            </Typography>
            {group.assets.map(a => (
              <AssetRow key={a.entityRef} asset={a} onOpen={props.onOpen} />
            ))}
          </Box>
        );
      })}
    </Box>
  );
}
