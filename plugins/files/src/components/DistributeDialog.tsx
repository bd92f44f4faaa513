import { useState } from 'react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  FormGroup,
  FormLabel,
  MenuItem,
  TextField,
} from '@material-ui/core';
import { Alert, AlertTitle } from '@material-ui/lab';
import useAsync from 'react-use/esm/useAsync';
import type {
  Distribution,
  DistributionStrategy,
  FileVersion,
  FilesClient,
} from '../api/FilesClient';
import { filesTranslationRef } from '../translation/translation';
import { errorMessage, targetRefusal } from './errors';

/** Picks hosts, target path, mode and owner, and starts a distribution. */
export function DistributeDialog(props: {
  client: FilesClient;
  file: FileVersion;
  onClose: () => void;
  onStarted: (d: Distribution) => void;
}) {
  const { client, file, onClose, onStarted } = props;
  const { t } = useTranslationRef(filesTranslationRef);
  const hosts = useAsync(() => client.listHosts(), [client]);
  const [selected, setSelected] = useState<string[]>([]);
  const [targetPath, setTargetPath] = useState(`/tmp/${file.name}`);
  const [fileMode, setFileMode] = useState('0644');
  const [fileOwner, setFileOwner] = useState('');
  const [concurrency, setConcurrency] = useState('10');
  const [strategy, setStrategy] = useState<DistributionStrategy>('direct');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const all = hosts.value ?? [];
  const toggle = (ref: string) =>
    setSelected(s =>
      s.includes(ref) ? s.filter(r => r !== ref) : [...s, ref],
    );

  const submit = async () => {
    if (selected.length === 0) {
      setError(t('distribute.noHostSelected'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const d = await client.createDistribution({
        fileId: file.id,
        hosts: selected,
        targetPath,
        fileMode: fileMode.trim() || undefined,
        fileOwner: fileOwner.trim() || undefined,
        concurrency: Number(concurrency) || undefined,
        strategy,
      });
      onStarted(d);
    } catch (e) {
      setError(errorMessage(e));
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
        {hosts.error ? (
          <Alert severity="error">{errorMessage(hosts.error)}</Alert>
        ) : null}
        <FormLabel component="legend">{t('distribute.hosts')}</FormLabel>
        {!hosts.loading && all.length === 0 ? (
          <Alert severity="info">{t('distribute.noHosts')}</Alert>
        ) : null}
        <FormControlLabel
          control={
            <Checkbox
              checked={all.length > 0 && selected.length === all.length}
              indeterminate={
                selected.length > 0 && selected.length < all.length
              }
              onChange={e =>
                setSelected(e.target.checked ? all.map(h => h.ref) : [])
              }
            />
          }
          label={t('distribute.selectAll')}
        />
        <FormGroup row>
          {all.map(h => (
            <FormControlLabel
              key={h.ref}
              control={
                <Checkbox
                  checked={selected.includes(h.ref)}
                  onChange={() => toggle(h.ref)}
                />
              }
              label={`${h.name} (${h.address}:${h.port})`}
            />
          ))}
        </FormGroup>
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
            {targetRefusal(error) ? (
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
          disabled={busy || hosts.loading}
        >
          {t('distribute.start')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
