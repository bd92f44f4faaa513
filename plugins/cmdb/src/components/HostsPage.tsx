import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { cmdbTranslationRef } from '../translation/translation';
import {
  ChangeEvent,
  FormEvent,
  Fragment,
  MouseEvent,
  useEffect,
  useMemo,
  useState,
} from 'react';
import { coreApis, useApi } from '@backstage/frontend-plugin-api';
import { Content, Link, Progress } from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import {
  Box,
  Button,
  Checkbox,
  Chip,
  IconButton,
  MenuItem,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Tooltip,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import useAsync from 'react-use/esm/useAsync';
import ExpandLessIcon from '@material-ui/icons/ExpandLess';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { CmdbClient } from '../api/CmdbClient';
import type { HostFilters, HostSummary, ReachableFilter } from '../api/types';
import { messageOf, statusOf } from './format';
import { CollectHostsBar } from './CollectHostsBar';
import { BulkActionsBar } from './BulkActionsBar';
import { GROUP_BY, GroupBy, groupHosts } from './hostGroups';
import { ReachabilityChip } from './ReachabilityChip';
import { useFormat } from './useFormat';
import {
  entityCatalogPath,
  formatDateTime,
  serverErrorMessage,
} from '@opsdeck/plugin-opsdeck-common';

/** Hosts per page. */
export const PAGE_SIZE = 50;
/** Hosts per page while grouped (the API's maximum), so groups are whole. */
export const GROUPED_PAGE_SIZE = 500;

/** Environments offered by the filter (the register template's enum). */
export const ENVIRONMENTS = ['prod', 'staging', 'dev', 'test'] as const;

type Filters = {
  environment: string;
  owner: string;
  system: string;
  tag: string;
  reachable: string;
  q: string;
};

const emptyFilters: Filters = {
  environment: '',
  owner: '',
  system: '',
  tag: '',
  reachable: '',
  q: '',
};

function toQuery(filters: Filters): HostFilters {
  const trimmed = (value: string) => value.trim() || undefined;
  return {
    environment: trimmed(filters.environment),
    owner: trimmed(filters.owner),
    system: trimmed(filters.system),
    tag: trimmed(filters.tag),
    reachable: (trimmed(filters.reachable) as ReachableFilter) ?? undefined,
    q: trimmed(filters.q),
  };
}

/** Catalog page of a host: `/catalog/<namespace>/resource/<name>`. */
export function hostEntityPath(host: Pick<HostSummary, 'name' | 'entityRef'>) {
  return (
    entityCatalogPath(host.entityRef, { kind: 'resource' }) ??
    entityCatalogPath({ kind: 'resource', name: host.name })!
  );
}

/** Starts a browser download of a blob. */
function downloadBlob(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** The Hosts page: the CMDB's hosts, filtered and paged on the server. */
export function HostsPage() {
  const { t } = useTranslationRef(cmdbTranslationRef);
  const { duration, age } = useFormat();
  const discoveryApi = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  const client = useMemo(
    () => new CmdbClient(discoveryApi, fetchApi),
    [discoveryApi, fetchApi],
  );

  const [draft, setDraft] = useState<Filters>(emptyFilters);
  const [applied, setApplied] = useState<Filters>(emptyFilters);
  // Cursors of the pages up to the current one; the last is this page's.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const after = cursors[cursors.length - 1];
  // `total` comes only with the first page; keep it while paging.
  const [total, setTotal] = useState<number | undefined>(undefined);
  const [exportError, setExportError] = useState<string | undefined>();

  const query = useMemo(() => toQuery(applied), [applied]);
  // bumped after a collection run, to show the fresh facts
  const [reload, setReload] = useState(0);
  const [groupBy, setGroupBy] = useState<GroupBy>('none');
  const [collapsed, setCollapsed] = useState<string[]>([]);
  const page = useAsync(
    () =>
      client.listHosts({
        ...query,
        after,
        limit: groupBy === 'none' ? PAGE_SIZE : GROUPED_PAGE_SIZE,
      }),
    [client, query, after, reload, groupBy],
  );
  const groups = useMemo(
    () =>
      groupBy === 'none' || !page.value
        ? undefined
        : groupHosts(page.value.items, groupBy),
    [groupBy, page.value],
  );
  // hosts picked for "Collect selected" (names, kept across pages)
  const [selected, setSelected] = useState<string[]>([]);
  const toggle = (name: string) =>
    setSelected(s =>
      s.includes(name) ? s.filter(n => n !== name) : [...s, name],
    );
  const pageNames = page.value?.items.map(h => h.name) ?? [];
  const pageSelected =
    pageNames.length > 0 && pageNames.every(n => selected.includes(n));
  const toggleAll = (names: string[], all: boolean) =>
    setSelected(s =>
      all
        ? s.filter(n => !names.includes(n))
        : [...s, ...names.filter(n => !s.includes(n))],
    );
  const togglePage = () => toggleAll(pageNames, pageSelected);
  const toggleCollapsed = (key: string) =>
    setCollapsed(c =>
      c.includes(key) ? c.filter(k => k !== key) : [...c, key],
    );
  const changeGroupBy = (next: GroupBy) => {
    setGroupBy(next);
    setCollapsed([]);
    setCursors([undefined]);
    setTotal(undefined);
  };
  const exportUrl = useAsync(() => client.exportUrl(query), [client, query]);

  useEffect(() => {
    if (page.value?.total !== undefined) {
      setTotal(page.value.total);
    }
  }, [page.value]);

  const apply = (next: Filters) => {
    setApplied(next);
    setCursors([undefined]);
    setTotal(undefined);
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    apply(draft);
  };
  const onReset = () => {
    setDraft(emptyFilters);
    apply(emptyFilters);
  };
  const set = (key: keyof Filters) => (e: ChangeEvent<{ value: unknown }>) =>
    setDraft(d => ({ ...d, [key]: String(e.target.value ?? '') }));

  // The backend wants the user's token, which a plain link would not send:
  // fetch the CSV through the fetch API and hand it to the browser.
  const onExport = async (e: MouseEvent<HTMLAnchorElement>) => {
    e.preventDefault();
    if (!exportUrl.value) return;
    setExportError(undefined);
    try {
      downloadBlob(await client.exportCsv(query), 'hosts.csv');
    } catch (error) {
      let text: string;
      if (statusOf(error) === 403) text = t('errors.forbidden');
      else if (ResponseError.is(error as Error)) {
        // opsdeck's code in the reader's language (a failed store: internal
        // with its reference)
        text = t('export.failed', { message: serverErrorMessage(error) });
      } else {
        // the answer broke off while the CSV was being sent
        text = t('export.interrupted');
      }
      setExportError(text);
    }
  };

  const errorText = (error: Error) => {
    switch (statusOf(error)) {
      case 403:
        return t('errors.forbidden');
      case 401:
        return t('errors.unauthorized');
      case 400:
        return t('errors.invalid', { message: messageOf(error) });
      default:
        return t('errors.generic', { message: serverErrorMessage(error) });
    }
  };

  const columns = [
    t('table.name'),
    t('table.address'),
    t('table.environment'),
    t('table.owner'),
    t('table.system'),
    t('table.tags'),
    t('table.reachability'),
    t('table.os'),
    t('table.uptime'),
    t('table.factsAge'),
  ];

  const hostRow = (host: HostSummary, group?: string) => (
    <TableRow
      key={group === undefined ? host.entityRef : `${group}:${host.entityRef}`}
      data-testid="host-row"
    >
      <TableCell padding="checkbox">
        <Checkbox
          size="small"
          checked={selected.includes(host.name)}
          onChange={() => toggle(host.name)}
          inputProps={{
            'aria-label': t('collect.selectHost', {
              name: host.name,
            }),
          }}
        />
      </TableCell>
      <TableCell>
        <Link to={hostEntityPath(host)}>{host.name}</Link>
      </TableCell>
      <TableCell style={{ whiteSpace: 'nowrap' }}>
        {`${host.address}:${host.port}`}
      </TableCell>
      <TableCell>{host.environment}</TableCell>
      <TableCell>{host.owner}</TableCell>
      <TableCell>{host.system ?? ''}</TableCell>
      <TableCell>
        {host.tags.map(tag => (
          <Chip key={tag} size="small" variant="outlined" label={tag} />
        ))}
      </TableCell>
      <TableCell>
        <ReachabilityChip reachable={host.reachable} error={host.error} />
      </TableCell>
      <TableCell>{host.os ?? ''}</TableCell>
      <TableCell>
        {host.uptimeSeconds !== undefined ? duration(host.uptimeSeconds) : ''}
      </TableCell>
      <TableCell>
        {host.collectedAt ? (
          <Tooltip title={formatDateTime(host.collectedAt)}>
            <time dateTime={host.collectedAt}>{age(host.collectedAt)}</time>
          </Tooltip>
        ) : (
          t('table.never')
        )}
      </TableCell>
    </TableRow>
  );

  return (
    <Content>
      <Typography variant="body1" paragraph>
        {t('page.subtitle')}
      </Typography>

      <Paper>
        <Box
          component="form"
          onSubmit={onSubmit}
          p={2}
          display="flex"
          flexWrap="wrap"
          alignItems="flex-start"
          style={{ gap: 16 }}
          aria-label={t('filters.label')}
        >
          <TextField
            id="cmdb-filter-q"
            label={t('filters.search')}
            placeholder={t('filters.searchPlaceholder')}
            value={draft.q}
            onChange={set('q')}
            size="small"
            variant="outlined"
          />
          <TextField
            id="cmdb-filter-environment"
            select
            label={t('filters.environment')}
            value={draft.environment}
            onChange={set('environment')}
            size="small"
            variant="outlined"
            style={{ minWidth: 160 }}
          >
            <MenuItem value="">{t('filters.any')}</MenuItem>
            {ENVIRONMENTS.map(env => (
              <MenuItem key={env} value={env}>
                {t(`environments.${env}`)}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            id="cmdb-filter-owner"
            label={t('filters.owner')}
            placeholder={t('filters.ownerPlaceholder')}
            value={draft.owner}
            onChange={set('owner')}
            size="small"
            variant="outlined"
          />
          <TextField
            id="cmdb-filter-system"
            label={t('filters.system')}
            value={draft.system}
            onChange={set('system')}
            size="small"
            variant="outlined"
          />
          <TextField
            id="cmdb-filter-tag"
            label={t('filters.tag')}
            value={draft.tag}
            onChange={set('tag')}
            size="small"
            variant="outlined"
          />
          <TextField
            id="cmdb-filter-reachable"
            select
            label={t('filters.reachability')}
            value={draft.reachable}
            onChange={set('reachable')}
            size="small"
            variant="outlined"
            style={{ minWidth: 160 }}
          >
            <MenuItem value="">{t('filters.any')}</MenuItem>
            <MenuItem value="true">{t('reachability.reachable')}</MenuItem>
            <MenuItem value="false">{t('reachability.unreachable')}</MenuItem>
            <MenuItem value="unknown">{t('reachability.unknown')}</MenuItem>
          </TextField>
          <Button type="submit" variant="contained" color="primary">
            {t('filters.apply')}
          </Button>
          <Button type="button" onClick={onReset}>
            {t('filters.reset')}
          </Button>
          <Box flexGrow={1} />
          <TextField
            id="cmdb-group-by"
            select
            label={t('groups.by')}
            value={groupBy}
            onChange={e => changeGroupBy(e.target.value as GroupBy)}
            size="small"
            variant="outlined"
            style={{ minWidth: 160 }}
          >
            {GROUP_BY.map(by => (
              <MenuItem key={by} value={by}>
                {t(`groups.options.${by}`)}
              </MenuItem>
            ))}
          </TextField>
          <Button
            component="a"
            href={exportUrl.value ?? '#'}
            download="hosts.csv"
            onClick={onExport}
            variant="outlined"
            disabled={!exportUrl.value}
          >
            {t('export.csv')}
          </Button>
        </Box>
      </Paper>

      <Box mt={2}>
        <CollectHostsBar
          client={client}
          selected={selected}
          onCollected={() => setReload(r => r + 1)}
        />
        <BulkActionsBar selected={selected} />
        {exportError && (
          <Box mb={1}>
            <Alert severity="error">{exportError}</Alert>
          </Box>
        )}
        {page.error && <Alert severity="error">{errorText(page.error)}</Alert>}
        {page.loading && <Progress />}
        {!page.loading && !page.error && page.value && (
          <TableContainer component={Paper}>
            <Table size="small" aria-label={t('table.caption')}>
              <TableHead>
                <TableRow>
                  <TableCell padding="checkbox">
                    <Checkbox
                      size="small"
                      checked={pageSelected}
                      onChange={togglePage}
                      inputProps={{ 'aria-label': t('collect.selectPage') }}
                    />
                  </TableCell>
                  {columns.map(column => (
                    <TableCell key={column}>{column}</TableCell>
                  ))}
                </TableRow>
              </TableHead>
              <TableBody>
                {page.value.items.length === 0 && (
                  <TableRow>
                    <TableCell colSpan={columns.length + 1}>
                      {t('table.empty')}
                    </TableCell>
                  </TableRow>
                )}
                {groups
                  ? groups.map(group => {
                      const names = group.hosts.map(h => h.name);
                      const all = names.every(n => selected.includes(n));
                      const open = !collapsed.includes(group.key);
                      const label = group.key || t(`groups.none.${groupBy}`);
                      return (
                        <Fragment key={`group:${group.key}`}>
                          <TableRow data-testid="host-group" aria-label={label}>
                            <TableCell padding="checkbox">
                              <Checkbox
                                size="small"
                                checked={all}
                                onChange={() => toggleAll(names, all)}
                                inputProps={{
                                  'aria-label': t('groups.select', {
                                    group: label,
                                  }),
                                }}
                              />
                            </TableCell>
                            <TableCell colSpan={columns.length}>
                              <IconButton
                                size="small"
                                onClick={() => toggleCollapsed(group.key)}
                                aria-expanded={open}
                                aria-label={t(
                                  open ? 'groups.collapse' : 'groups.expand',
                                  { group: label },
                                )}
                              >
                                {open ? <ExpandLessIcon /> : <ExpandMoreIcon />}
                              </IconButton>
                              <strong>{label}</strong>{' '}
                              <span data-testid="host-group-counts">
                                {t('groups.counts', {
                                  hosts: String(group.hosts.length),
                                  reachable: String(group.reachable),
                                  unreachable: String(group.unreachable),
                                })}
                              </span>
                            </TableCell>
                          </TableRow>
                          {open &&
                            group.hosts.map(host => hostRow(host, group.key))}
                        </Fragment>
                      );
                    })
                  : page.value.items.map(host => hostRow(host))}
              </TableBody>
            </Table>
          </TableContainer>
        )}
        <Box mt={1} display="flex" alignItems="center" style={{ gap: 8 }}>
          <Button
            disabled={cursors.length <= 1 || page.loading}
            onClick={() => setCursors(c => c.slice(0, -1))}
          >
            {t('paging.previous')}
          </Button>
          <Typography variant="body2">
            {t('paging.page', { page: String(cursors.length) })}
          </Typography>
          <Button
            disabled={!page.value?.nextCursor || page.loading}
            onClick={() =>
              setCursors(c => [...c, page.value?.nextCursor ?? undefined])
            }
          >
            {t('paging.next')}
          </Button>
          {total !== undefined && (
            <Typography variant="body2" color="textSecondary">
              {t('table.total', { total: String(total) })}
            </Typography>
          )}
        </Box>
      </Box>
    </Content>
  );
}
