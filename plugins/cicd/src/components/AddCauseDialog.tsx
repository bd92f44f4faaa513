import { useEffect, useMemo, useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  CAUSE_CATEGORIES,
  CauseCategory,
  ListedCause,
} from '@opsdeck/plugin-cicd-common';
import { serverErrorMessage } from '@opsdeck/plugin-opsdeck-common';
import { CicdErrorAlert } from './ErrorAlert';
import { lineToPattern, patternsOf } from './pattern';
import { useCicdClient, useT } from './useCicd';

/** Delay after the last keystroke before the patterns are tried. */
const TRY_DELAY_MS = 300;
/** The most characters of console /causes/try takes. */
const MAX_TRY_LOG = 65536;

type TryState =
  | { state: 'idle' | 'trying' }
  | { state: 'done'; lines: number[] }
  | { state: 'error'; message: string };

/**
 * Adds a cause to the knowledge base from a failed build: the patterns start
 * as the selected console line (escaped), are tried live against this
 * build's console lines (POST /causes/try, RE2 on the backend) and saved
 * with a name, a category and an optional runbook.
 */
export function AddCauseDialog(props: {
  /** The console lines of the build (line number and text). */
  consoleLines: { line: number; text: string }[];
  /** The selected console line, the first pattern. */
  line?: string;
  category?: CauseCategory;
  onClose: () => void;
  onSaved: (cause: ListedCause) => void;
}) {
  const { consoleLines: lines, onClose, onSaved } = props;
  const t = useT();
  const client = useCicdClient();
  const [name, setName] = useState('');
  const [category, setCategory] = useState<CauseCategory>(
    props.category ?? 'runtime',
  );
  const [patternText, setPatternText] = useState(
    props.line ? lineToPattern(props.line) : '',
  );
  const [runbook, setRunbook] = useState('');
  const [tried, setTried] = useState<TryState>({ state: 'idle' });
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<Error>();
  const patterns = useMemo(() => patternsOf(patternText), [patternText]);
  // the console lines sent to /causes/try, within its size limit
  const tryLines = useMemo(() => {
    const out: typeof lines = [];
    let size = 0;
    for (const l of lines) {
      size += l.text.length + 1;
      if (size > MAX_TRY_LOG) break;
      out.push(l);
    }
    return out;
  }, [lines]);
  const log = useMemo(() => tryLines.map(l => l.text).join('\n'), [tryLines]);

  useEffect(() => {
    if (!patterns.length) {
      setTried({ state: 'idle' });
      return undefined;
    }
    let current = true;
    setTried({ state: 'trying' });
    const timer = setTimeout(async () => {
      try {
        const found = await client.tryCause(patterns, log);
        // the log sent is the console lines in order: map back to their numbers
        const numbers = found.lines
          .map(i => tryLines[i - 1]?.line)
          .filter((n): n is number => n !== undefined);
        if (current) setTried({ state: 'done', lines: numbers });
      } catch (e) {
        if (current) {
          setTried({ state: 'error', message: serverErrorMessage(e) });
        }
      }
    }, TRY_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, patterns, log, tryLines]);

  const save = async () => {
    setSaving(true);
    setSaveError(undefined);
    try {
      const cause = await client.addCause({
        name: name.trim(),
        category,
        patterns,
        ...(runbook.trim() ? { runbook: runbook.trim() } : {}),
      });
      onSaved(cause);
    } catch (e) {
      setSaveError(e as Error);
      setSaving(false);
    }
  };

  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="md">
      <DialogTitle>{t('causes.dialogTitle')}</DialogTitle>
      <DialogContent>
        <TextField
          id="cicd-cause-name"
          label={t('causes.name')}
          value={name}
          onChange={e => setName(e.target.value)}
          fullWidth
          margin="dense"
          required
          inputProps={{ maxLength: 120 }}
        />
        <TextField
          select
          id="cicd-cause-category"
          label={t('causes.category')}
          value={category}
          onChange={e => setCategory(e.target.value as CauseCategory)}
          fullWidth
          margin="dense"
        >
          {CAUSE_CATEGORIES.map(c => (
            <MenuItem key={c} value={c}>
              {t(`category.${c}`)}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          id="cicd-cause-patterns"
          label={t('causes.patterns')}
          helperText={t('causes.patternsHelp')}
          value={patternText}
          onChange={e => setPatternText(e.target.value)}
          fullWidth
          margin="dense"
          multiline
          minRows={2}
          required
          inputProps={{ style: { fontFamily: 'monospace' } }}
        />
        <TextField
          id="cicd-cause-runbook"
          label={t('causes.runbook')}
          value={runbook}
          onChange={e => setRunbook(e.target.value)}
          fullWidth
          margin="dense"
          type="url"
          placeholder="https://"
        />
        <Typography variant="subtitle2" style={{ marginTop: 12 }}>
          {t('causes.tryTitle')}
        </Typography>
        <div data-testid="cicd-cause-try" aria-live="polite">
          {tried.state === 'trying' && (
            <Typography variant="body2">{t('causes.trying')}</Typography>
          )}
          {tried.state === 'done' && tried.lines.length > 0 && (
            <Alert severity="success">
              {t('causes.tryMatches', {
                total: tried.lines.length,
                lines: tried.lines.slice(0, 20).join(', '),
              })}
            </Alert>
          )}
          {tried.state === 'done' && tried.lines.length === 0 && (
            <Alert severity="warning">{t('causes.tryNone')}</Alert>
          )}
          {tried.state === 'error' && (
            <Alert severity="error">
              {t('causes.tryError', { message: tried.message })}
            </Alert>
          )}
        </div>
        {saveError && <CicdErrorAlert error={saveError} />}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('causes.cancel')}</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={save}
          disabled={
            saving ||
            !name.trim() ||
            !patterns.length ||
            tried.state === 'error'
          }
        >
          {t('causes.save')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
