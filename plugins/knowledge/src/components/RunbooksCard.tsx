import { useMemo } from 'react';
import {
  coreApis,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { InfoCard, Link, Progress } from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  Box,
  List,
  ListItem,
  ListItemIcon,
  ListItemText,
  ListSubheader,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import MenuBookIcon from '@material-ui/icons/MenuBook';
import useAsync from 'react-use/esm/useAsync';
import {
  docsPath,
  Runbook,
  runbookSources,
} from '@opsdeck/plugin-knowledge-common';
import { RunbooksClient } from '../api';
import { knowledgeTranslationRef } from '../translation/translation';

type SourceResult = {
  ref: string;
  docs: string;
  runbooks: Runbook[];
  error?: string;
};

/**
 * The runbooks of the entity on the page: pages under docs/runbooks/ of its
 * own TechDocs, of the entities its `opsdeck.io/runbooks` annotation names
 * and of the services that depend on it (a host's runbooks are those of what
 * runs on it).
 */
export function RunbooksCard() {
  const { t } = useTranslationRef(knowledgeTranslationRef);
  const { entity } = useEntity();
  const discoveryApi = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  const client = useMemo(
    () => new RunbooksClient(discoveryApi, fetchApi),
    [discoveryApi, fetchApi],
  );
  const sources = useMemo(() => runbookSources(entity), [entity]);

  const { value, loading } = useAsync(
    () =>
      Promise.all(
        sources.map(async (ref): Promise<SourceResult> => {
          const base = {
            ref: stringifyEntityRef(ref),
            docs: docsPath(ref),
            runbooks: [] as Runbook[],
          };
          try {
            return { ...base, runbooks: await client.runbooksOf(ref) };
          } catch (e) {
            return { ...base, error: (e as Error).message };
          }
        }),
      ),
    [client, sources],
  );

  const withRunbooks = (value ?? []).filter(s => s.runbooks.length > 0);
  const failed = (value ?? []).filter(s => s.error);
  return (
    <InfoCard title={t('runbooks.title')} subheader={t('runbooks.subheader')}>
      {loading && <Progress />}
      {failed.map(s => (
        <Alert key={s.ref} severity="warning">
          {t('runbooks.notBuilt', { entity: s.ref, message: s.error ?? '' })}
        </Alert>
      ))}
      {!loading && withRunbooks.length === 0 && failed.length === 0 && (
        <Typography variant="body2" data-testid="runbooks-empty">
          {sources.length
            ? t('runbooks.none', { entity: stringifyEntityRef(sources[0]) })
            : t('runbooks.noneAnywhere')}
        </Typography>
      )}
      {withRunbooks.map(source => (
        <List
          key={source.ref}
          dense
          subheader={
            <ListSubheader disableSticky>
              <Box display="flex" justifyContent="space-between">
                <span>{t('runbooks.from', { entity: source.ref })}</span>
                <Link to={source.docs}>{t('runbooks.allDocs')}</Link>
              </Box>
            </ListSubheader>
          }
        >
          {source.runbooks.map(r => (
            <ListItem key={r.path} data-testid="runbook">
              <ListItemIcon>
                <MenuBookIcon fontSize="small" />
              </ListItemIcon>
              <ListItemText primary={<Link to={r.path}>{r.title}</Link>} />
            </ListItem>
          ))}
        </List>
      ))}
    </InfoCard>
  );
}
