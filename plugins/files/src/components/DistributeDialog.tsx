import { useState } from 'react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormLabel,
  MenuItem,
  TextField,
} from '@material-ui/core';
import { Alert, AlertTitle } from '@material-ui/lab';
import {
  cleanSelector,
  HostSelectorField,
  type HostSelector,
} from '@opsdeck/plugin-cmdb-react';
import type {
  Distribution,
  DistributionStrategy,
  FileVersion,
  FilesClient,
} from '../api/FilesClient';
import { filesTranslationRef } from '../translation/translation';
import {
  errorCodeOf,
  errorMessage,
  targetRefusal,
  useFilesErrorTexts,
} from './errors';

/**
 * Picks hosts (the CMDB's shared host field), target path, mode and owner,
 * and starts a distribution.
 */
export function DistributeDialog(props: {
  client: FilesClient;
  file: FileVersion;
  onClose: () => void;
  onStarted: (d: Distribution) => void;
}) {
  const { client, file, onClose, onStarted } = props;
  const { t } = useTranslationRef(filesTranslationRef);
  const [selector, setSelector] = useState<HostSelector>({});
  const [targetPath, setTargetPath] = useState(`/tmp/${file.name}`);
  const [fileMode, setFileMode] = useState('0644');
  const [fileOwner, setFileOwner] = useState('');
  const [concurrency, setConcurrency] = useState('10');
  const [strategy, setStrategy] = useState<DistributionStrategy>('direct');
  const texts = useFilesErrorTexts();
  const [error, setError] = useState<string>();
  const [refused, setRefused] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const chosen = cleanSelector(selector);
    if (Object.keys(chosen).length === 0) {
      setError(t('distribute.noHostSelected'));
      return;
    }
    setBusy(true);
    setError(undefined);
    setRefused(false);
    try {
      const d = await client.createDistribution({
        fileId: file.id,
        hosts: chosen.names,
        owner: chosen.owner,
        system: chosen.system,
        environment: chosen.environment,
        tags: chosen.tags,
        targetPath,
        fileMode: fileMode.trim() || undefined,
        fileOwner: fileOwner.trim() || undefined,
        concurrency: Number(concurrency) || undefined,
        strategy,
      });
      onStarted(d);
    } catch (e) {
      setError(errorMessage(e, texts));
      setRefused(targetRefusal(errorCodeOf(e)) !== undefined);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open onClose={onClose} maxWidth="md" fullWidth>
      <DialogTitle>
        {t('distribute.title', {
          name: file.name,
          version: String(file.version),
        })}
      </DialogTitle>
      <DialogContent>
        <FormLabel component="legend">{t('distribute.hosts')}</FormLabel>
        <HostSelectorField
          idPrefix="files-hosts"
          value={selector}
          onChange={setSelector}
          disabled={busy}
        />
        <TextField
          id="files-target-path"
          label={t('distribute.targetPath')}
          helperText={t('distribute.targetPathHelp')}
          value={targetPath}
          onChange={e => setTargetPath(e.target.value)}
          required
          fullWidth
          margin="dense"
          inputProps={{ spellCheck: false }}
        />
        <Box display="flex" style={{ gap: 16 }}>
          <TextField
            id="files-file-mode"
            label={t('distribute.fileMode')}
            helperText={t('distribute.fileModeHelp')}
            value={fileMode}
            onChange={e => setFileMode(e.target.value)}
            margin="dense"
          />
          <TextField
            id="files-file-owner"
            label={t('distribute.fileOwner')}
            helperText={t('distribute.fileOwnerHelp')}
            value={fileOwner}
            onChange={e => setFileOwner(e.target.value)}
            margin="dense"
          />
          <TextField
            id="files-concurrency"
            label={t('distribute.concurrency')}
            value={concurrency}
            onChange={e => setConcurrency(e.target.value)}
            type="number"
            inputProps={{ min: 1 }}
            margin="dense"
          />
          <TextField
            id="files-strategy"
            select
            label={t('distribute.strategy')}
            value={strategy}
            onChange={e => setStrategy(e.target.value as DistributionStrategy)}
            margin="dense"
            style={{ minWidth: 220 }}
          >
            <MenuItem value="direct">{t('distribute.strategyDirect')}</MenuItem>
            <MenuItem value="relay">{t('distribute.strategyRelay')}</MenuItem>
            <MenuItem value="relay-tree">
              {t('distribute.strategyRelayTree')}
            </MenuItem>
          </TextField>
        </Box>
        {error ? (
          <Alert severity="error">
            {refused ? (
              <AlertTitle>{t('distribute.targetNotAllowed')}</AlertTitle>
            ) : null}
            {error}
          </Alert>
        ) : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('library.cancel')}</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={submit}
          disabled={busy}
        >
          {t('distribute.start')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
