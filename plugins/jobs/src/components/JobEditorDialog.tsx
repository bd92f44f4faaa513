import { useState } from 'react';
import {
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormGroup,
  FormHelperText,
  FormLabel,
  IconButton,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import DeleteIcon from '@material-ui/icons/Delete';
import { Alert } from '@material-ui/lab';
import {
  Job,
  JobInput,
  JobParameter,
  Language,
  ParameterType,
  WEBHOOK_TRIGGERS,
  WebhookTrigger,
} from '../api';
import { useErrorText, useJobsClient, useT } from './common';

type ParamDraft = JobParameter & { choicesText: string };

const TYPES: ParameterType[] = ['string', 'number', 'choice', 'secret'];
const TRIGGER_LABELS = {
  success: 'editor.webhookOnSuccess',
  failure: 'editor.webhookOnFailure',
  cancel: 'editor.webhookOnCancel',
} as const;
const LANGUAGES: Language[] = ['sh', 'bash', 'python'];

/** Create a job, or edit one (saving a changed script makes a new version). */
export function JobEditorDialog(props: {
  job?: Job;
  onClose(): void;
  onSaved(job: Job): void;
}) {
  const t = useT();
  const client = useJobsClient();
  const errorText = useErrorText();
  const { job } = props;
  const [name, setName] = useState(job?.name ?? '');
  const [description, setDescription] = useState(job?.description ?? '');
  const [language, setLanguage] = useState<Language>(job?.language ?? 'sh');
  const [script, setScript] = useState(job?.script ?? '');
  const [notify, setNotify] = useState(job?.notifyOnFailure ?? true);
  const [webhookUrl, setWebhookUrl] = useState(job?.webhook?.url ?? '');
  const [webhookTriggers, setWebhookTriggers] = useState<WebhookTrigger[]>(
    job?.webhook?.triggers ?? ['failure'],
  );
  const toggleTrigger = (trigger: WebhookTrigger, on: boolean) =>
    setWebhookTriggers(ts =>
      // kept in the fixed order, whatever the order of the clicks
      WEBHOOK_TRIGGERS.filter(x => (x === trigger ? on : ts.includes(x))),
    );
  const noTrigger = Boolean(webhookUrl.trim()) && webhookTriggers.length === 0;
  const [webhookSecret, setWebhookSecret] = useState(
    job?.webhook?.secretCredential ?? '',
  );
  const [params, setParams] = useState<ParamDraft[]>(
    (job?.parameters ?? []).map(p => ({
      ...p,
      choicesText: (p.choices ?? []).join(', '),
    })),
  );
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);

  const setParam = (i: number, patch: Partial<ParamDraft>) =>
    setParams(ps => ps.map((p, j) => (j === i ? { ...p, ...patch } : p)));

  const save = async () => {
    setSaving(true);
    setError(undefined);
    const parameters: JobParameter[] = params.map(p => {
      const out: JobParameter = { name: p.name.trim(), type: p.type };
      if (p.required) out.required = true;
      if (p.default) out.default = p.default;
      if (p.type === 'choice') {
        out.choices = p.choicesText
          .split(',')
          .map(s => s.trim())
          .filter(Boolean);
      }
      return out;
    });
    const body: JobInput = {
      name: name.trim(),
      description,
      language,
      script,
      parameters,
      notifyOnFailure: notify,
    };
    if (webhookUrl.trim()) {
      body.webhook = { url: webhookUrl.trim(), triggers: webhookTriggers };
      if (webhookSecret.trim()) {
        body.webhook.secretCredential = webhookSecret.trim();
      }
    }
    try {
      const saved = job
        ? await client.updateJob(job.id, {
            ...body,
            // cleared: null removes it
            ...(!body.webhook && job.webhook ? { webhook: null } : {}),
          })
        : await client.createJob(body);
      props.onSaved(saved);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog open onClose={props.onClose} maxWidth="md" fullWidth>
      <DialogTitle>
        {job
          ? t('editor.editTitle', { name: job.name })
          : t('editor.createTitle')}
      </DialogTitle>
      <DialogContent>
        {error && <Alert severity="error">{error}</Alert>}
        <TextField
          id="jobs-editor-name"
          label={t('jobs.name')}
          value={name}
          onChange={e => setName(e.target.value)}
          required
          fullWidth
          margin="dense"
          variant="outlined"
        />
        <TextField
          id="jobs-editor-description"
          label={t('jobs.description')}
          value={description}
          onChange={e => setDescription(e.target.value)}
          fullWidth
          margin="dense"
          variant="outlined"
        />
        <TextField
          id="jobs-editor-language"
          select
          label={t('jobs.language')}
          value={language}
          onChange={e => setLanguage(e.target.value as Language)}
          margin="dense"
          variant="outlined"
          SelectProps={{ inputProps: { 'aria-label': t('jobs.language') } }}
        >
          {LANGUAGES.map(l => (
            <MenuItem key={l} value={l}>
              {l}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          id="jobs-editor-script"
          label={t('editor.script')}
          helperText={t('editor.scriptHelp')}
          value={script}
          onChange={e => setScript(e.target.value)}
          required
          multiline
          minRows={6}
          fullWidth
          margin="dense"
          variant="outlined"
          inputProps={{
            spellCheck: false,
            style: { fontFamily: 'monospace', fontSize: 13 },
          }}
        />
        <FormControlLabel
          control={
            <Checkbox
              checked={notify}
              onChange={e => setNotify(e.target.checked)}
            />
          }
          label={t('editor.notify')}
        />
        <TextField
          id="jobs-editor-webhook-url"
          label={t('editor.webhookUrl')}
          helperText={t('editor.webhookUrlHelp')}
          value={webhookUrl}
          onChange={e => setWebhookUrl(e.target.value)}
          fullWidth
          margin="dense"
          variant="outlined"
        />
        <FormControl
          component="fieldset"
          error={noTrigger}
          data-testid="jobs-editor-webhook-triggers"
        >
          <FormLabel component="legend">
            {t('editor.webhookTriggers')}
          </FormLabel>
          <FormGroup row>
            {WEBHOOK_TRIGGERS.map(trigger => (
              <FormControlLabel
                key={trigger}
                control={
                  <Checkbox
                    checked={webhookTriggers.includes(trigger)}
                    onChange={e => toggleTrigger(trigger, e.target.checked)}
                  />
                }
                label={t(TRIGGER_LABELS[trigger])}
              />
            ))}
          </FormGroup>
          {noTrigger && (
            <FormHelperText>{t('editor.webhookNoTrigger')}</FormHelperText>
          )}
        </FormControl>
        {webhookUrl.trim() && (
          <TextField
            id="jobs-editor-webhook-secret"
            label={t('editor.webhookSecret')}
            helperText={t('editor.webhookSecretHelp')}
            value={webhookSecret}
            onChange={e => setWebhookSecret(e.target.value)}
            fullWidth
            margin="dense"
            variant="outlined"
          />
        )}
        <Typography variant="h6">{t('editor.parameters')}</Typography>
        {params.map((p, i) => (
          <Box key={i} display="flex" alignItems="center" style={{ gap: 8 }}>
            <TextField
              label={t('editor.paramName')}
              value={p.name}
              onChange={e =>
                setParam(i, { name: e.target.value.toUpperCase() })
              }
              margin="dense"
              variant="outlined"
              inputProps={{ 'aria-label': `${t('editor.paramName')} ${i + 1}` }}
            />
            <TextField
              id={`jobs-param-type-${i}`}
              select
              label={t('editor.paramType')}
              value={p.type}
              onChange={e =>
                setParam(i, { type: e.target.value as ParameterType })
              }
              margin="dense"
              variant="outlined"
            >
              {TYPES.map(ty => (
                <MenuItem key={ty} value={ty}>
                  {t(`types.${ty}`)}
                </MenuItem>
              ))}
            </TextField>
            {p.type === 'choice' && (
              <TextField
                id={`jobs-param-choices-${i}`}
                label={t('editor.paramChoices')}
                value={p.choicesText}
                onChange={e => setParam(i, { choicesText: e.target.value })}
                margin="dense"
                variant="outlined"
              />
            )}
            {p.type !== 'secret' && (
              <TextField
                id={`jobs-param-default-${i}`}
                label={t('editor.paramDefault')}
                value={p.default ?? ''}
                onChange={e => setParam(i, { default: e.target.value })}
                margin="dense"
                variant="outlined"
              />
            )}
            <FormControlLabel
              control={
                <Checkbox
                  checked={Boolean(p.required)}
                  onChange={e => setParam(i, { required: e.target.checked })}
                />
              }
              label={t('editor.paramRequired')}
            />
            <IconButton
              aria-label={t('editor.remove')}
              onClick={() => setParams(ps => ps.filter((_, j) => j !== i))}
            >
              <DeleteIcon />
            </IconButton>
          </Box>
        ))}
        <Button
          onClick={() =>
            setParams(ps => [
              ...ps,
              { name: '', type: 'string', choicesText: '' },
            ])
          }
        >
          {t('editor.addParameter')}
        </Button>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>{t('editor.cancel')}</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={save}
          disabled={saving || !name.trim() || !script.trim() || noTrigger}
        >
          {t('editor.save')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
