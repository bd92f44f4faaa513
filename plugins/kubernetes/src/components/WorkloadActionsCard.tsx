import { useCallback, useMemo, useState } from 'react';
import { InfoCard, Progress } from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { kubernetesProxyPermission } from '@backstage/plugin-kubernetes-common';
import { useKubernetesObjects } from '@backstage/plugin-kubernetes-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  Box,
  Button,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  kubernetesDeploymentImagePermission,
  kubernetesDeploymentRestartPermission,
  kubernetesDeploymentScalePermission,
  kubernetesPodDeletePermission,
} from '@opsdeck/plugin-opsdeck-common';
import {
  IMAGE_REPOSITORIES_ANNOTATION,
  parseImageRepositories,
} from '@opsdeck/plugin-registry-common';
import { logFileName } from '../api';
import { ActionOutcome } from './ActionOutcome';
import { ConfirmDialog } from './ConfirmDialog';
import {
  DeployImageDialog,
  type DeployDialogTarget,
} from './DeployImageDialog';
import { useActionsClient, useT } from './hooks';
import { previousRevision, type RevisionedObject } from './revisions';
import { type AskedAction, useWorkloadAction } from './useWorkloadAction';

/** The fields of a Deployment and a Pod the card shows. */
type KubeObject = RevisionedObject & {
  spec?: { replicas?: number; containers?: { name: string }[] };
  status?: {
    readyReplicas?: number;
    phase?: string;
    containerStatuses?: { name: string; restartCount?: number }[];
  };
};

function objectsOf(
  resources: { type: string; resources: unknown[] }[],
  type: string,
): KubeObject[] {
  return (resources.find(r => r.type === type)?.resources ??
    []) as KubeObject[];
}

/** Saves a blob as a file through a temporary link. */
function saveFile(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

/**
 * opsdeck's workload actions on the component's Kubernetes tab: its
 * deployments (restart, scale) and pods (delete, log download) per cluster,
 * read from the same backend as Backstage's content below. Each button is
 * shown only when the person holds its permission.
 */
export function WorkloadActionsCard(props: {
  /** Milliseconds between reads of a rollout being followed (tests). */
  rolloutPollMs?: number;
  /** Milliseconds between reads of the workloads (Backstage's 10 s; tests). */
  objectsPollMs?: number;
}) {
  const t = useT();
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const { kubernetesObjects, error } = useKubernetesObjects(
    entity,
    props.objectsPollMs,
  );
  const client = useActionsClient();
  const canRestart = usePermission({
    permission: kubernetesDeploymentRestartPermission,
  }).allowed;
  const canScale = usePermission({
    permission: kubernetesDeploymentScalePermission,
  }).allowed;
  const canDelete = usePermission({
    permission: kubernetesPodDeletePermission,
  }).allowed;
  const canDeploy = usePermission({
    permission: kubernetesDeploymentImagePermission,
  }).allowed;
  const canReadLogs = usePermission({
    permission: kubernetesProxyPermission,
  }).allowed;
  const noop = useCallback(() => {}, []);
  const { state, run } = useWorkloadAction(noop);
  const [confirm, setConfirm] = useState<
    { text: string; asked: AskedAction } | undefined
  >();
  // the deployment the deploy dialog is open for; its containers are read
  // from the workloads of each render, not kept from when it opened
  const [deploying, setDeploying] = useState<
    | (Omit<DeployDialogTarget, 'containers'> & { asked: AskedAction })
    | undefined
  >();
  const annotation =
    entity.metadata.annotations?.[IMAGE_REPOSITORIES_ANNOTATION];
  const imageLinks = useMemo(
    () => parseImageRepositories(annotation).links,
    [annotation],
  );
  const [replicas, setReplicas] = useState<Record<string, string>>({});
  const [logError, setLogError] = useState<string>();
  const [downloaded, setDownloaded] = useState<string>();

  const download = async (
    cluster: string,
    namespace: string,
    pod: string,
    container: string,
    previous: boolean,
  ) => {
    setLogError(undefined);
    setDownloaded(undefined);
    try {
      const blob = await client.log({
        cluster,
        namespace,
        pod,
        container,
        previous,
      });
      const file = logFileName(pod, container, previous, new Date());
      saveFile(blob, file);
      setDownloaded(file);
    } catch (e) {
      setLogError((e as Error).message);
    }
  };

  if (error) return null; // Backstage's content below shows the error
  if (!kubernetesObjects) {
    return (
      <InfoCard title={t('card.title')}>
        <Progress />
      </InfoCard>
    );
  }
  const clusters = kubernetesObjects.items.filter(
    item =>
      objectsOf(item.resources, 'deployments').length > 0 ||
      objectsOf(item.resources, 'pods').length > 0,
  );
  const busy = state.status === 'busy';
  const deployTarget: DeployDialogTarget | undefined = deploying && {
    name: deploying.name,
    clusterTitle: deploying.clusterTitle,
    containers:
      objectsOf(
        kubernetesObjects.items.find(
          i => i.cluster.name === deploying.asked.target.cluster,
        )?.resources ?? [],
        'deployments',
      ).find(
        d =>
          d.metadata?.name === deploying.asked.target.name &&
          (d.metadata?.namespace ?? '') === deploying.asked.target.namespace,
      )?.spec?.template?.spec?.containers ?? [],
  };
  const ask = (text: string, asked: AskedAction) => setConfirm({ text, asked });

  return (
    <InfoCard title={t('card.title')} subheader={t('card.subheader')}>
      <div data-testid="kubernetes-actions">
        {!canRestart && !canScale && !canDelete && !canDeploy && (
          <Typography variant="body2" color="textSecondary">
            {t('card.noActions', {
              permissions: [
                kubernetesDeploymentRestartPermission.name,
                kubernetesDeploymentScalePermission.name,
                kubernetesPodDeletePermission.name,
                kubernetesDeploymentImagePermission.name,
              ].join(', '),
            })}
          </Typography>
        )}
        <ActionOutcome
          state={state}
          onApproval={(asked, a) => run(asked, a)}
          rolloutPollMs={props.rolloutPollMs}
        />
        {logError && (
          <Alert severity="error" data-testid="kubernetes-log-error">
            {t('error.log', { message: logError })}
          </Alert>
        )}
        {downloaded && (
          <Alert severity="info">
            {t('pods.downloaded', { file: downloaded })}
          </Alert>
        )}
        {clusters.length === 0 && (
          <Typography variant="body2">{t('card.empty')}</Typography>
        )}
        {clusters.map(item => {
          const cluster = item.cluster.name;
          const clusterTitle = item.cluster.title ?? cluster;
          const target = (o: KubeObject) => ({
            entityRef,
            cluster,
            namespace: o.metadata?.namespace ?? '',
            name: o.metadata?.name ?? '',
          });
          return (
            <Box key={cluster} mt={2}>
              <Typography variant="h6">
                {t('card.cluster', { cluster: clusterTitle })}
              </Typography>
              <Typography variant="subtitle2">
                {t('deployments.title')}
              </Typography>
              <Table size="small">
                <TableHead>
                  <TableRow>
                    <TableCell>{t('deployments.name')}</TableCell>
                    <TableCell>{t('deployments.replicas')}</TableCell>
                    <TableCell />
                  </TableRow>
                </TableHead>
                <TableBody>
                  {objectsOf(item.resources, 'deployments').map(d => {
                    const name = d.metadata?.name ?? '';
                    const previous = previousRevision(
                      d,
                      objectsOf(item.resources, 'replicasets'),
                    );
                    const key = `${cluster}/${d.metadata?.namespace}/${name}`;
                    const desired = d.spec?.replicas ?? 0;
                    const value = replicas[key] ?? String(desired);
                    const count = Number(value);
                    return (
                      <TableRow key={key}>
                        <TableCell>{name}</TableCell>
                        <TableCell>
                          {t('deployments.ready', {
                            ready: String(d.status?.readyReplicas ?? 0),
                            desired: String(desired),
                          })}
                        </TableCell>
                        <TableCell>
                          <Box display="flex" alignItems="center" gridGap={8}>
                            {canRestart && (
                              <Button
                                size="small"
                                variant="outlined"
                                disabled={busy}
                                onClick={() =>
                                  ask(
                                    t('confirm.restart', {
                                      name,
                                      cluster: clusterTitle,
                                    }),
                                    { action: 'restart', target: target(d) },
                                  )
                                }
                              >
                                {t('deployments.restart')}
                              </Button>
                            )}
                            {canScale && (
                              <>
                                <TextField
                                  size="small"
                                  type="number"
                                  style={{ width: 96 }}
                                  label={t('deployments.replicas')}
                                  inputProps={{
                                    min: 0,
                                    max: 100,
                                    'aria-label': t('deployments.scaleTo', {
                                      name,
                                    }),
                                  }}
                                  value={value}
                                  onChange={e =>
                                    setReplicas(r => ({
                                      ...r,
                                      [key]: e.target.value,
                                    }))
                                  }
                                />
                                <Button
                                  size="small"
                                  variant="outlined"
                                  disabled={
                                    busy ||
                                    value === '' ||
                                    !Number.isInteger(count) ||
                                    count < 0 ||
                                    count > 100
                                  }
                                  onClick={() =>
                                    ask(
                                      t('confirm.scale', {
                                        name,
                                        cluster: clusterTitle,
                                        replicas: String(count),
                                      }),
                                      {
                                        action: 'scale',
                                        target: target(d),
                                        replicas: count,
                                      },
                                    )
                                  }
                                >
                                  {t('deployments.scale')}
                                </Button>
                              </>
                            )}
                            {canDeploy && (
                              <>
                                <Button
                                  size="small"
                                  variant="outlined"
                                  disabled={busy}
                                  onClick={() =>
                                    setDeploying({
                                      name,
                                      clusterTitle,
                                      asked: {
                                        action: 'deploy',
                                        target: target(d),
                                      },
                                    })
                                  }
                                >
                                  {t('deploy.open')}
                                </Button>
                                <Button
                                  size="small"
                                  variant="outlined"
                                  disabled={busy || !previous}
                                  title={
                                    previous
                                      ? undefined
                                      : t('rollback.none', { name })
                                  }
                                  onClick={() =>
                                    previous &&
                                    ask(
                                      t('confirm.rollback', {
                                        name,
                                        cluster: clusterTitle,
                                        revision: String(previous.revision),
                                        images: previous.images.join(', '),
                                      }),
                                      {
                                        action: 'rollback',
                                        target: target(d),
                                        toRevision: previous.revision,
                                      },
                                    )
                                  }
                                >
                                  {t('rollback.open')}
                                </Button>
                              </>
                            )}
                          </Box>
                        </TableCell>
                      </TableRow>
                    );
                  })}
                </TableBody>
              </Table>
              <Box mt={1}>
                <Typography variant="subtitle2">{t('pods.title')}</Typography>
              </Box>
              <Table size="small">
                <TableHead>
                  <TableRow>
                    <TableCell>{t('pods.name')}</TableCell>
                    <TableCell>{t('pods.phase')}</TableCell>
                    <TableCell>{t('pods.restarts')}</TableCell>
                    <TableCell />
                  </TableRow>
                </TableHead>
                <TableBody>
                  {objectsOf(item.resources, 'pods').map(p => {
                    const name = p.metadata?.name ?? '';
                    const namespace = p.metadata?.namespace ?? '';
                    const statuses = p.status?.containerStatuses ?? [];
                    const restarts = statuses.reduce(
                      (n, s) => n + (s.restartCount ?? 0),
                      0,
                    );
                    return (
                      <TableRow key={`${cluster}/${namespace}/${name}`}>
                        <TableCell>{name}</TableCell>
                        <TableCell>{p.status?.phase ?? ''}</TableCell>
                        <TableCell>{restarts}</TableCell>
                        <TableCell>
                          <Box
                            display="flex"
                            flexWrap="wrap"
                            alignItems="center"
                            gridGap={8}
                          >
                            {canDelete && (
                              <Button
                                size="small"
                                variant="outlined"
                                color="secondary"
                                disabled={busy}
                                onClick={() =>
                                  ask(
                                    t('confirm.delete', {
                                      name,
                                      cluster: clusterTitle,
                                    }),
                                    { action: 'delete', target: target(p) },
                                  )
                                }
                              >
                                {t('pods.delete')}
                              </Button>
                            )}
                            {canReadLogs &&
                              (p.spec?.containers ?? []).map(c => {
                                const restarted =
                                  (statuses.find(s => s.name === c.name)
                                    ?.restartCount ?? 0) > 0;
                                return (
                                  <Box key={c.name} display="flex" gridGap={8}>
                                    <Button
                                      size="small"
                                      onClick={() =>
                                        download(
                                          cluster,
                                          namespace,
                                          name,
                                          c.name,
                                          false,
                                        )
                                      }
                                    >
                                      {t('pods.download', {
                                        container: c.name,
                                      })}
                                    </Button>
                                    {restarted && (
                                      <Button
                                        size="small"
                                        onClick={() =>
                                          download(
                                            cluster,
                                            namespace,
                                            name,
                                            c.name,
                                            true,
                                          )
                                        }
                                      >
                                        {t('pods.downloadPrevious', {
                                          container: c.name,
                                        })}
                                      </Button>
                                    )}
                                  </Box>
                                );
                              })}
                          </Box>
                        </TableCell>
                      </TableRow>
                    );
                  })}
                </TableBody>
              </Table>
            </Box>
          );
        })}
        <DeployImageDialog
          target={deployTarget}
          links={imageLinks}
          onCancel={() => setDeploying(undefined)}
          onDeploy={(container, choice) => {
            const asked = deploying?.asked;
            setDeploying(undefined);
            if (asked) run({ ...asked, container, image: choice.image });
          }}
        />
        <ConfirmDialog
          text={confirm?.text}
          onCancel={() => setConfirm(undefined)}
          onConfirm={() => {
            const asked = confirm?.asked;
            setConfirm(undefined);
            if (asked) run(asked);
          }}
        />
      </div>
    </InfoCard>
  );
}
