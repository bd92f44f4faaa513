import { useState } from 'react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormLabel,
  MenuItem,
  TextField,
} from '@material-ui/core';
import { hasHostCriteria } from '@opsdeck/plugin-cmdb-common';
import {
  cleanSelector,
  HostSelectorField,
  type HostSelector,
} from '@opsdeck/plugin-cmdb-react';
import { CONFIG_KINDS, type ConfigKind } from '@opsdeck/plugin-config-common';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import type { ConfigSet } from '../schema/openapi.client.generated';
import { ErrorAlert, useConfigClient, useT } from './hooks';

/** The catalog's groups, for the owner: picked, never typed. */
function useGroups() {
  const catalogApi = useApi(catalogApiRef);
  return useAsync(async () => {
    const groups = await catalogApi.getEntities({ filter: { kind: 'Group' } });
    return groups.items.map(e => ({
      ref: stringifyEntityRef(e).toLocaleLowerCase('en-US'),
      title: e.metadata.title ?? e.metadata.name,
    }));
  }, [catalogApi]);
}

/**
 * Creates a config set, or edits one (`set`): name, kind, owner group,
 * the hosts (the CMDB's shared host selector, saved as cmdb-common's
 * `HostSelector`), the target path and, for redis, the restart command
 * (run when a change cannot be applied to the running server). An edit
 * keeps the set's other fields (entity, staging root, validate and reload
 * commands, health check) as they are.
 */
export function SetFormDialog({
  set,
  onClose,
  onSaved,
}: {
  set?: ConfigSet;
  onClose: () => void;
  onSaved: (saved: ConfigSet) => void;
}) {
  const t = useT();
  const client = useConfigClient();
  const groups = useGroups();
  const [name, setName] = useState(set?.name ?? '');
  const [kind, setKind] = useState<ConfigKind>(set?.kind ?? 'text');
  const [owner, setOwner] = useState(set?.owner ?? '');
  const [selector, setSelector] = useState<HostSelector>(set?.selector ?? {});
  const [targetPath, setTargetPath] = useState(set?.targetPath ?? '');
  const [restartCommand, setRestartCommand] = useState(
    set?.restartCommand ?? '',
  );
  const [state, save] = useAsyncFn(async () => {
    const input = {
      name,
      kind,
      owner,
      entityRef: set?.entityRef,
      selector: cleanSelector(selector),
      targetPath,
      stageRoot: set?.stageRoot,
      validateCommand: set?.validateCommand,
      reloadCommand: set?.reloadCommand,
      // redis sets only (the backend refuses it on other kinds)
      restartCommand:
        kind === 'redis' ? restartCommand.trim() || undefined : undefined,
      healthCheck: set?.healthCheck,
    };
    onSaved(
      set
        ? await client.updateSet(set.id, input)
        : await client.createSet(input),
    );
  }, [
    client,
    set,
    name,
    kind,
    owner,
    selector,
    targetPath,
    restartCommand,
    onSaved,
  ]);
  // the owner list holds the set's owner even before the catalog answers
  const owners = [...(groups.value ?? [])];
  if (owner && !owners.some(g => g.ref === owner)) {
    owners.push({ ref: owner, title: owner });
  }
  return (
    <Dialog
      open
      onClose={onClose}
      fullWidth
      maxWidth="sm"
      aria-labelledby="config-set-form-title"
    >
      <DialogTitle id="config-set-form-title">
        {t(set ? 'create.editTitle' : 'create.title')}
      </DialogTitle>
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
          {owners.map(g => (
            <MenuItem key={g.ref} value={g.ref}>
              {g.title}
            </MenuItem>
          ))}
        </TextField>
        <FormLabel component="legend" style={{ marginTop: 16 }}>
          {t('create.hosts')}
        </FormLabel>
        <HostSelectorField
          idPrefix="config-set-hosts"
          value={selector}
          onChange={setSelector}
          disabled={state.loading}
        />
        <TextField
          id="config-new-target"
          label={t('create.targetPath')}
          value={targetPath}
          onChange={e => setTargetPath(e.target.value)}
          fullWidth
          margin="dense"
        />
        {kind === 'redis' && (
          <TextField
            id="config-new-restart"
            label={t('create.restartCommand')}
            helperText={t('create.restartCommandHelp')}
            value={restartCommand}
            onChange={e => setRestartCommand(e.target.value)}
            fullWidth
            margin="dense"
          />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('create.cancel')}</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={
            state.loading ||
            !name ||
            !owner ||
            !targetPath ||
            !hasHostCriteria(cleanSelector(selector))
          }
          onClick={() => save()}
        >
          {t(set ? 'create.update' : 'create.save')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
