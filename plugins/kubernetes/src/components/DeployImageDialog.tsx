import { useEffect, useState } from 'react';
import { Progress } from '@backstage/core-components';
import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  MenuItem,
  Radio,
  RadioGroup,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { formatDateTime } from '@opsdeck/plugin-opsdeck-common';
import {
  IMAGE_REPOSITORIES_ANNOTATION,
  type ImageRepositoryLink,
} from '@opsdeck/plugin-registry-common';
import {
  readImageTags,
  type ImageTagChoice,
  type RepositoryTags,
} from '../registryImages';
import { useT } from './hooks';

/** The deployment a deploy dialog is open for. */
export interface DeployDialogTarget {
  name: string;
  clusterTitle: string;
  containers: { name: string; image?: string }[];
}

/**
 * "Deploy image…": the component's image repositories' newest tags from
 * the registry plugin (as the person), one picked from the list (nothing is
 * typed), and the container whose image it sets. The image sent names the
 * tag and the digest shown, so the server deploys exactly that digest (and
 * refuses when the tag moved since).
 */
export function DeployImageDialog(props: {
  target?: DeployDialogTarget;
  links: ImageRepositoryLink[];
  onCancel: () => void;
  onDeploy: (container: string, choice: ImageTagChoice) => void;
}) {
  const t = useT();
  const discovery = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const { target, links } = props;
  const open = Boolean(target);
  const [repositories, setRepositories] = useState<RepositoryTags[]>();
  const [error, setError] = useState<string>();
  const [picked, setPicked] = useState<string>('');
  // the container picked for this deployment (the first one until then)
  const targetKey = target ? `${target.clusterTitle}/${target.name}` : '';
  const [chosen, setChosen] = useState<{ key: string; name: string }>();

  useEffect(() => {
    if (!open) return undefined;
    let cancelled = false;
    setRepositories(undefined);
    setError(undefined);
    setPicked('');
    setChosen(undefined);
    readImageTags(discovery, fetchApi, links).then(
      value => !cancelled && setRepositories(value),
      e => !cancelled && setError((e as Error).message),
    );
    return () => {
      cancelled = true;
    };
  }, [open, discovery, fetchApi, links]);

  const container =
    chosen &&
    chosen.key === targetKey &&
    target?.containers.some(c => c.name === chosen.name)
      ? chosen.name
      : target?.containers[0]?.name ?? '';
  const choices = (repositories ?? []).flatMap(r => r.tags);
  const choice = choices.find(c => c.image === picked);
  const current = target?.containers.find(c => c.name === container)?.image;

  return (
    <Dialog open={open} onClose={props.onCancel} fullWidth maxWidth="md">
      <DialogTitle>
        {t('deploy.title', {
          name: target?.name ?? '',
          cluster: target?.clusterTitle ?? '',
        })}
      </DialogTitle>
      <DialogContent>
        {target && target.containers.length > 1 && (
          <TextField
            select
            fullWidth
            margin="dense"
            label={t('deploy.container')}
            value={container}
            onChange={e =>
              setChosen({ key: targetKey, name: String(e.target.value) })
            }
          >
            {target.containers.map(c => (
              <MenuItem key={c.name} value={c.name}>
                {c.name}
              </MenuItem>
            ))}
          </TextField>
        )}
        {current && (
          <Typography variant="body2" color="textSecondary">
            {t('deploy.current', { container, image: current })}
          </Typography>
        )}
        {links.length === 0 && (
          <Alert severity="info">
            {t('deploy.noRepositories', {
              annotation: IMAGE_REPOSITORIES_ANNOTATION,
            })}
          </Alert>
        )}
        {error && (
          <Alert severity="error" data-testid="kubernetes-deploy-tags-error">
            {t('deploy.tagsError', { message: error })}
          </Alert>
        )}
        {links.length > 0 && !repositories && !error && <Progress />}
        <RadioGroup
          aria-label={t('deploy.tags')}
          value={picked}
          onChange={e => setPicked(e.target.value)}
        >
          {(repositories ?? []).map(r => (
            <Box key={`${r.link.registry}/${r.link.repository}`} mt={2}>
              <Typography variant="subtitle2">
                {t('deploy.repository', {
                  repository: r.link.repository,
                  registry: r.link.registry,
                })}
              </Typography>
              {r.error && (
                <Alert severity="error">
                  {t('deploy.repositoryError', {
                    repository: r.link.repository,
                    message: r.error.message,
                  })}
                </Alert>
              )}
              {!r.error && r.tags.length === 0 && (
                <Typography variant="body2" color="textSecondary">
                  {t('deploy.noTags')}
                </Typography>
              )}
              {r.tags.map(c => (
                <FormControlLabel
                  key={c.image}
                  value={c.image}
                  control={<Radio size="small" />}
                  label={t('deploy.tag', {
                    tag: c.tag,
                    digest: c.digest.slice(0, 19),
                    created: c.created ? formatDateTime(c.created) : '—',
                  })}
                />
              ))}
            </Box>
          ))}
        </RadioGroup>
        {choice && (
          <Typography variant="body2" data-testid="kubernetes-deploy-pinned">
            {t('deploy.pinned', { image: choice.image })}
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onCancel}>{t('confirm.cancel')}</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={!choice || !container}
          onClick={() => choice && props.onDeploy(container, choice)}
        >
          {t('deploy.submit')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
