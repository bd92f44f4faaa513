import { InfoCard, Link, Progress } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  Box,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  formatDateTime,
  registryReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import {
  IMAGE_REPOSITORIES_ANNOTATION,
  parseImageRepositories,
  type ImageRepositoryLink,
} from '@opsdeck/plugin-registry-common';
import useAsync from 'react-use/esm/useAsync';
import { registryRouteRef } from '../routes';
import type { RecentTag } from '../schema/openapi.client.generated';
import { RegistryErrorAlert } from './RegistryErrorAlert';
import {
  formatSize,
  registryPath,
  useRegistryClient,
  useT,
  type RegistryT,
} from './useRegistry';

/** How many of a repository's newest tags the card shows. */
export const RECENT_TAGS = 5;

/** `/registry?registry=…&repository=…` under the registry page's mount path. */
export function registryBrowserLink(
  root: string,
  link: ImageRepositoryLink,
): string {
  const query = new URLSearchParams({
    registry: link.registry,
    repository: link.repository,
  });
  return `${root}?${query}`;
}

function placesText(t: RegistryT, tag: RecentTag): string {
  return [
    ...new Set(
      tag.running.map(p =>
        t(p.kind === 'pod' ? 'manifest.runningPod' : 'manifest.runningHost', {
          where: p.where,
        }),
      ),
    ),
  ].join(', ');
}

/** One linked repository: its newest tags, their size and where they run. */
function RepositoryTags({ link }: { link: ImageRepositoryLink }) {
  const t = useT();
  const client = useRegistryClient();
  const root = useRouteRef(registryRouteRef);
  const { registry, repository } = link;
  // the backend ranks the tags by created time and answers the newest with
  // digest, size and where they run: one request per repository
  const state = useAsync(
    () =>
      client.listRecentTags({
        path: registryPath(registry),
        query: { repository, limit: RECENT_TAGS },
      }),
    [client, registry, repository],
  );

  return (
    <Box mb={3} data-testid={`image-repository-${registry}/${repository}`}>
      <Typography variant="subtitle1">
        {root ? (
          <Link to={registryBrowserLink(root(), link)}>{repository}</Link>
        ) : (
          repository
        )}{' '}
        <Typography component="span" variant="body2" color="textSecondary">
          {t('card.in', { registry })}
        </Typography>
      </Typography>
      {state.loading && <Progress />}
      {state.error && <RegistryErrorAlert error={state.error} />}
      {state.value && state.value.total === 0 && (
        <Typography color="textSecondary">{t('tags.empty')}</Typography>
      )}
      {state.value && state.value.total > 0 && (
        <>
          <Typography variant="body2" color="textSecondary">
            {t('card.newest', {
              count: state.value.items.length,
              total: state.value.total,
            })}
          </Typography>
          <Table size="small">
            <TableHead>
              <TableRow>
                <TableCell>{t('fields.tag')}</TableCell>
                <TableCell>{t('manifest.digest')}</TableCell>
                <TableCell>{t('manifest.created')}</TableCell>
                <TableCell>{t('manifest.size')}</TableCell>
                <TableCell>{t('manifest.runningColumn')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {state.value.items.map(tag => (
                <TableRow key={tag.tag}>
                  <TableCell>{tag.tag}</TableCell>
                  <TableCell>
                    <code title={tag.digest}>{tag.digest.slice(0, 19)}</code>
                  </TableCell>
                  <TableCell>{formatDateTime(tag.created)}</TableCell>
                  <TableCell>{formatSize(tag.size)}</TableCell>
                  <TableCell>{placesText(t, tag) || '—'}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
    </Box>
  );
}

/**
 * "Image repositories" card of a component that names them
 * (IMAGE_REPOSITORIES_ANNOTATION): per repository its newest tags (digest,
 * created, size, where it runs) and a link into the registry browser.
 * Entries the parser refuses are listed with the reason; without the
 * registry read permission the card says so and asks the backend nothing.
 */
export function ImageRepositoriesCard() {
  const t = useT();
  const { entity } = useEntity();
  const value = entity.metadata.annotations?.[IMAGE_REPOSITORIES_ANNOTATION];
  const { links, problems } = parseImageRepositories(value);
  const { allowed, loading } = usePermission({
    permission: registryReadPermission,
  });

  let body;
  if (loading) body = <Progress />;
  else if (!allowed) {
    body = (
      <Alert severity="info" data-testid="image-repositories-no-access">
        {t('card.noAccess')}
      </Alert>
    );
  } else {
    body = links.map(link => (
      <RepositoryTags key={`${link.registry}/${link.repository}`} link={link} />
    ));
  }
  return (
    <InfoCard title={t('card.title')}>
      {problems.map((p, i) => (
        <Alert key={i} severity="error" style={{ marginBottom: 8 }}>
          {t(`card.problems.${p.reason}`, {
            entry: p.entry,
            annotation: IMAGE_REPOSITORIES_ANNOTATION,
          })}
        </Alert>
      ))}
      {body}
    </InfoCard>
  );
}
