import { useState } from 'react';
import { Link, Progress } from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
} from '@material-ui/core';
import { Alert, Autocomplete } from '@material-ui/lab';
import { CONFIG_KINDS, type ConfigKind } from '@opsdeck/plugin-config-common';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { useNavigate } from 'react-router-dom';
import { ErrorAlert, useAbilities, useConfigClient, useT } from './hooks';

type Choice = { ref: string; title: string };

/** Groups and hosts of the catalog: owners and hosts are picked, never typed. */
function useCatalogChoices() {
  const catalogApi = useApi(catalogApiRef);
  return useAsync(async () => {
    const [groups, hosts] = await Promise.all([
      catalogApi.getEntities({ filter: { kind: 'Group' } }),
      catalogApi.getEntities({
        filter: { kind: 'Resource', 'spec.type': 'host' },
      }),
    ]);
    const toChoice = (e: any): Choice => ({
      ref: stringifyEntityRef(e).toLocaleLowerCase('en-US'),
      title: e.metadata.title ?? e.metadata.name,
    });
    return {
      groups: groups.items.map(toChoice),
      hosts: hosts.items.map(toChoice),
    };
  }, [catalogApi]);
}

function CreateSetDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const client = useConfigClient();
  const navigate = useNavigate();
  const choices = useCatalogChoices();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<ConfigKind>('text');
  const [owner, setOwner] = useState('');
  const [hosts, setHosts] = useState<Choice[]>([]);
  const [targetPath, setTargetPath] = useState('');
  const [state, create] = useAsyncFn(async () => {
    const set = await client.createSet({
      name,
      kind,
      owner,
      selector: { names: hosts.map(h => h.ref) },
      targetPath,
    });
    navigate(`${set.id}`);
  }, [client, name, kind, owner, hosts, targetPath]);
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>{t('create.title')}</DialogTitle>
      <DialogContent>
        {state.error && <ErrorAlert error={state.error} />}
        <TextField
          id="config-new-name"
          label={t('create.name')}
          value={name}
          onChange={e => setName(e.target.value)}
          fullWidth
          margin="dense"
        />
        <TextField
          select
          id="config-new-kind"
          label={t('create.kind')}
          value={kind}
          onChange={e => setKind(e.target.value as ConfigKind)}
          fullWidth
          margin="dense"
        >
          {CONFIG_KINDS.map(k => (
            <MenuItem key={k} value={k}>
              {k}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          id="config-new-owner"
          label={t('create.owner')}
          value={owner}
          onChange={e => setOwner(e.target.value)}
          fullWidth
          margin="dense"
        >
          {(choices.value?.groups ?? []).map(g => (
            <MenuItem key={g.ref} value={g.ref}>
              {g.title}
            </MenuItem>
          ))}
        </TextField>
        <Autocomplete
          multiple
          options={choices.value?.hosts ?? []}
          getOptionLabel={o => o.title}
          value={hosts}
          onChange={(_e, v) => setHosts(v)}
          renderInput={params => (
            <TextField {...params} label={t('create.hosts')} margin="dense" />
          )}
        />
        <TextField
          id="config-new-target"
          label={t('create.targetPath')}
          value={targetPath}
          onChange={e => setTargetPath(e.target.value)}
          fullWidth
          margin="dense"
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('create.cancel')}</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={
            state.loading || !name || !owner || !targetPath || !hosts.length
          }
          onClick={() => create()}
        >
          {t('create.save')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** Every config set, with a button to create one for those who may. */
export function SetList() {
  const t = useT();
  const client = useConfigClient();
  const { canEdit } = useAbilities();
  const [creating, setCreating] = useState(false);
  const { value, loading, error } = useAsync(() => client.listSets(), [client]);
  if (error) return <ErrorAlert error={error} />;
  return (
    <>
      {canEdit && (
        <Button
          variant="contained"
          color="primary"
          style={{ marginBottom: 16 }}
          onClick={() => setCreating(true)}
        >
          {t('sets.create')}
        </Button>
      )}
      {creating && <CreateSetDialog onClose={() => setCreating(false)} />}
      {loading && <Progress />}
      {value && value.items.length === 0 && (
        <Alert severity="info">{t('sets.empty')}</Alert>
      )}
      {value && value.items.length > 0 && (
        <TableContainer component={Paper}>
          <Table size="small" aria-label={t('sets.caption')}>
            <TableHead>
              <TableRow>
                <TableCell>{t('sets.name')}</TableCell>
                <TableCell>{t('sets.kind')}</TableCell>
                <TableCell>{t('sets.target')}</TableCell>
                <TableCell>{t('sets.owner')}</TableCell>
                <TableCell>{t('sets.latest')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {value.items.map(s => (
                <TableRow key={s.id} data-testid="config-set-row">
                  <TableCell>
                    <Link to={`${s.id}`}>{s.name}</Link>
                  </TableCell>
                  <TableCell>{s.kind}</TableCell>
                  <TableCell>
                    <code>{s.targetPath}</code>
                  </TableCell>
                  <TableCell>{s.owner}</TableCell>
                  <TableCell>
                    {s.latestVersion ? `v${s.latestVersion}` : '–'}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </>
  );
}
