import { ReactNode } from 'react';
import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Grid,
  Typography,
} from '@material-ui/core';
import { EmptyState, Progress } from '@backstage/core-components';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  Cluster,
  DetectedErrorsContext,
  ErrorReporting,
  useKubernetesObjects,
} from '@backstage/plugin-kubernetes-react';
import { kubernetesReactTranslationRef } from '@backstage/plugin-kubernetes-react/alpha';
import { kubernetesTranslationRef } from '@backstage/plugin-kubernetes/alpha';
import {
  ClusterObjects,
  detectErrors,
  kubernetesClustersReadPermission,
  kubernetesResourcesReadPermission,
} from '@backstage/plugin-kubernetes-common';
import { usePermission } from '@backstage/plugin-permission-react';
import { useT } from './hooks';

/**
 * Backstage's warning panel with its severity in the user's language
 * (core-components' `WarningPanel` prefixes the title with a fixed English
 * "Warning:").
 */
export function KubernetesWarningPanel(props: {
  title: string;
  message: string;
  children?: ReactNode;
}) {
  const t = useT();
  return (
    <Accordion role="alert">
      <AccordionSummary expandIcon={<span aria-hidden>▾</span>}>
        <Typography variant="subtitle1">
          {t('panel.warning', { title: props.title })}
        </Typography>
      </AccordionSummary>
      <AccordionDetails>
        <Grid container>
          <Grid item xs={12}>
            <Typography variant="body1">{props.message}</Typography>
          </Grid>
          {props.children && (
            <Grid item xs={12}>
              {props.children}
            </Grid>
          )}
        </Grid>
      </AccordionDetails>
    </Accordion>
  );
}

function ErrorPanel(props: {
  entityName: string;
  errorMessage?: string;
  clustersWithErrors?: ClusterObjects[];
}) {
  const { t } = useTranslationRef(kubernetesReactTranslationRef);
  return (
    <KubernetesWarningPanel
      title={t('errorPanel.title')}
      message={t('errorPanel.message', { entityName: props.entityName })}
    >
      {props.clustersWithErrors && (
        <div>
          {t('errorPanel.errorsLabel')}:{' '}
          {props.clustersWithErrors.map((c, i) => (
            <div key={i}>
              <Typography variant="body2">
                {t('errorPanel.clusterLabelValue', {
                  cluster: c.cluster.title || c.cluster.name,
                })}
              </Typography>
              {c.errors.map((e, j) => (
                <Typography variant="body2" key={j}>
                  {e.errorType === 'FETCH_ERROR'
                    ? t('errorPanel.fetchError', {
                        errorType: e.errorType,
                        message: e.message,
                      })
                    : t('errorPanel.resourceError', {
                        resourcePath: e.resourcePath ?? '',
                        errorType: e.errorType,
                        statusCode: String(e.statusCode ?? ''),
                      })}
                </Typography>
              ))}
              <br />
            </div>
          ))}
        </div>
      )}
      {props.errorMessage && (
        <Typography variant="body2">
          {t('errorPanel.errorsLabel')}: {props.errorMessage}
        </Typography>
      )}
    </KubernetesWarningPanel>
  );
}

/**
 * Backstage's Kubernetes content (`KubernetesContent` of
 * `@backstage/plugin-kubernetes`: permission check, error panels, error
 * reporting, clusters), with the error and permission panels above so that
 * their severity is in the user's language.
 */
export function KubernetesContent() {
  const { entity } = useEntity();
  const { kubernetesObjects, error } = useKubernetesObjects(entity);
  const { t } = useTranslationRef(kubernetesTranslationRef);
  const clustersRead = usePermission({
    permission: kubernetesClustersReadPermission,
  });
  const resourcesRead = usePermission({
    permission: kubernetesResourcesReadPermission,
  });
  if (clustersRead.loading || resourcesRead.loading) return null;
  if (!clustersRead.allowed || !resourcesRead.allowed) {
    return (
      <KubernetesWarningPanel
        title={t('kubernetesContentPage.permissionAlert.title')}
        message={t('kubernetesContentPage.permissionAlert.message')}
      />
    );
  }
  const clusters = kubernetesObjects?.items.map(item => item.cluster) ?? [];
  const clustersWithErrors =
    kubernetesObjects?.items.filter(r => r.errors.length > 0) ?? [];
  const detectedErrors =
    kubernetesObjects !== undefined
      ? detectErrors(kubernetesObjects)
      : new Map();
  const entityName = entity.metadata.name;
  return (
    <DetectedErrorsContext.Provider value={[...detectedErrors.values()].flat()}>
      {kubernetesObjects === undefined && error === undefined && <Progress />}
      {clustersWithErrors.length > 0 && (
        <Grid container spacing={3} direction="column">
          <Grid item>
            <ErrorPanel
              entityName={entityName}
              clustersWithErrors={clustersWithErrors}
            />
          </Grid>
        </Grid>
      )}
      {error !== undefined && (
        <Grid container spacing={3} direction="column">
          <Grid item>
            <ErrorPanel entityName={entityName} errorMessage={error} />
          </Grid>
        </Grid>
      )}
      {kubernetesObjects && (
        <Grid container spacing={3} direction="column">
          <Grid item>
            <ErrorReporting
              detectedErrors={detectedErrors}
              clusters={clusters}
            />
          </Grid>
          <Grid item>
            <Typography variant="h3">
              {t('kubernetesContentPage.title')}
            </Typography>
          </Grid>
          <Grid item container>
            {kubernetesObjects.items.length <= 0 && (
              <Grid
                container
                justifyContent="space-around"
                direction="row"
                alignItems="center"
                spacing={2}
              >
                <Grid item xs={8}>
                  <EmptyState
                    missing="data"
                    title={t('kubernetesContentPage.emptyState.title')}
                    description={t(
                      'kubernetesContentPage.emptyState.description',
                      { entityName },
                    )}
                  />
                </Grid>
              </Grid>
            )}
            {kubernetesObjects.items.map((item, i) => {
              const podsWithErrors = new Set<string>(
                detectedErrors
                  .get(item.cluster.name)
                  ?.filter((de: any) => de.sourceRef.kind === 'Pod')
                  .map((de: any) => de.sourceRef.name),
              );
              return (
                <Grid item xs={12} key={i}>
                  <Cluster
                    clusterObjects={item}
                    podsWithErrors={podsWithErrors}
                  />
                </Grid>
              );
            })}
          </Grid>
        </Grid>
      )}
    </DetectedErrorsContext.Provider>
  );
}
