import { useState } from 'react';
import { TextField } from '@material-ui/core';
import {
  PROBE_KINDS,
  PROBE_SCRIPT_MAX_BYTES,
  type Probe,
  type ProbeInput,
  type ProbeKind,
  type ProbeScriptLanguage,
} from '@opsdeck/plugin-monitoring-common';
import { EntityPicker } from './EntityPicker';
import { ActionDialog, useAttempt } from './ActionDialog';
import { useT } from './hooks';

const TARGET_HELP = {
  tcp: 'probeDialog.targetHelpTcp',
  http: 'probeDialog.targetHelpHttp',
  process: 'probeDialog.targetHelpProcess',
  script: 'probeDialog.targetHelpScript',
} as const;

/** The longest target of each kind (a process name, a check's name). */
const TARGET_MAX: Record<ProbeKind, number> = {
  tcp: 2048,
  http: 2048,
  process: 15,
  script: 63,
};

/** Kinds that run on a catalog host (the entity picker offers hosts only). */
const ON_HOST: readonly ProbeKind[] = ['process', 'script'];

const LANGUAGES: readonly ProbeScriptLanguage[] = ['sh', 'bash'];

/** Probe intervals offered (sub-minute included). */
export const PROBE_INTERVALS = ['15s', '30s', '1m', '5m', '15m'] as const;

/**
 * Creates a probe on one catalog entity, or edits `probe` (its values
 * filled in; the backend checks the edit as it checks a create). The script
 * kind is offered only with `canScript` (opsdeck.monitoring.probe.script).
 */
export function ProbeDialog(props: {
  /** The probe to edit; none: a new one. */
  probe?: Probe;
  /** The person may create and edit script probes. */
  canScript?: boolean;
  onClose(): void;
  /** Saves the probe; a rejection (refused target, regex) is shown. */
  onSubmit(input: ProbeInput): Promise<void>;
}) {
  const t = useT();
  const { probe } = props;
  const [entityRef, setEntityRef] = useState(probe?.entityRef ?? '');
  const [kind, setKind] = useState<ProbeKind>(probe?.kind ?? 'tcp');
  const [target, setTarget] = useState(probe?.target ?? '');
  const [expectStatus, setExpectStatus] = useState(
    probe?.expectStatus ? String(probe.expectStatus) : '',
  );
  const [bodyRegex, setBodyRegex] = useState(probe?.bodyRegex ?? '');
  const [script, setScript] = useState(probe?.script ?? '');
  const [language, setLanguage] = useState<ProbeScriptLanguage>(
    probe?.language ?? 'sh',
  );
  const kinds = PROBE_KINDS.filter(
    k => k !== 'script' || props.canScript || probe?.kind === 'script',
  );
  const [interval, setInterval] = useState<string>(probe?.interval ?? '1m');
  // an interval set through the API that the list does not offer stays offered
  const intervals: string[] = (PROBE_INTERVALS as readonly string[]).includes(
    interval,
  )
    ? [...PROBE_INTERVALS]
    : [interval, ...PROBE_INTERVALS];
  const [touched, setTouched] = useState(false);
  const { busy: saving, error, attempt } = useAttempt();
  const entityMissing = entityRef === '';
  const targetMissing = target.trim() === '';
  const scriptMissing = kind === 'script' && script.trim() === '';
  const status = Number(expectStatus);
  const statusInvalid =
    kind === 'http' &&
    expectStatus.trim() !== '' &&
    !(Number.isInteger(status) && status >= 100 && status <= 599);

  const submit = async () => {
    setTouched(true);
    if (entityMissing || targetMissing || statusInvalid || scriptMissing) {
      return;
    }
    await attempt(() =>
      props.onSubmit({
        entityRef,
        kind,
        target: target.trim(),
        interval,
        ...(kind === 'http' && expectStatus.trim()
          ? { expectStatus: status }
          : {}),
        ...(kind === 'http' && bodyRegex.trim() ? { bodyRegex } : {}),
        ...(kind === 'script' ? { script, language } : {}),
      }),
    );
  };

  return (
    <ActionDialog
      form
      title={
        probe
          ? t('probeDialog.editTitle', { id: probe.id })
          : t('probeDialog.title')
      }
      onClose={props.onClose}
      error={error}
      errorKey="probeDialog.refused"
      busy={saving}
      actionLabel={probe ? t('probeDialog.save') : t('probeDialog.submit')}
      onAction={submit}
    >
      <EntityPicker
        id="probe-entity"
        types={ON_HOST.includes(kind) ? ['host'] : undefined}
        label={t('probeDialog.entity')}
        value={entityRef}
        onChange={setEntityRef}
        error={touched && entityMissing}
        helperText={
          touched && entityMissing ? t('probeDialog.entityRequired') : ''
        }
      />
      <TextField
        id="probe-kind"
        select
        label={t('probeDialog.kind')}
        value={kind}
        onChange={e => setKind(e.target.value as ProbeKind)}
        SelectProps={{ native: true }}
        fullWidth
        margin="dense"
        variant="outlined"
      >
        {kinds.map(k => (
          <option key={k} value={k}>
            {t(`probes.${k}`)}
          </option>
        ))}
      </TextField>
      <TextField
        id="probe-target"
        label={t('probeDialog.target')}
        value={target}
        onChange={e => setTarget(e.target.value)}
        error={touched && targetMissing}
        helperText={
          touched && targetMissing
            ? t('probeDialog.targetRequired')
            : t(TARGET_HELP[kind])
        }
        fullWidth
        margin="dense"
        variant="outlined"
        inputProps={{
          maxLength: TARGET_MAX[kind],
        }}
      />
      {kind === 'script' && (
        <>
          <TextField
            id="probe-language"
            select
            label={t('probeDialog.language')}
            value={language}
            onChange={e => setLanguage(e.target.value as ProbeScriptLanguage)}
            SelectProps={{ native: true }}
            fullWidth
            margin="dense"
            variant="outlined"
          >
            {LANGUAGES.map(l => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </TextField>
          <TextField
            id="probe-script"
            label={t('probeDialog.script')}
            value={script}
            onChange={e => setScript(e.target.value)}
            error={touched && scriptMissing}
            helperText={
              touched && scriptMissing
                ? t('probeDialog.scriptRequired')
                : t('probeDialog.scriptHelp')
            }
            multiline
            minRows={6}
            maxRows={16}
            fullWidth
            margin="dense"
            variant="outlined"
            disabled={!props.canScript}
            inputProps={{
              maxLength: PROBE_SCRIPT_MAX_BYTES,
              spellCheck: false,
              style: { fontFamily: 'monospace' },
            }}
          />
        </>
      )}
      {kind === 'http' && (
        <>
          <TextField
            id="probe-status"
            label={t('probeDialog.expectStatus')}
            value={expectStatus}
            onChange={e => setExpectStatus(e.target.value)}
            error={touched && statusInvalid}
            helperText={
              touched && statusInvalid
                ? t('probeDialog.statusInvalid')
                : t('probeDialog.expectStatusHelp')
            }
            fullWidth
            margin="dense"
            variant="outlined"
            inputProps={{ inputMode: 'numeric', maxLength: 3 }}
          />
          <TextField
            id="probe-body"
            label={t('probeDialog.bodyRegex')}
            value={bodyRegex}
            onChange={e => setBodyRegex(e.target.value)}
            helperText={t('probeDialog.bodyRegexHelp')}
            fullWidth
            margin="dense"
            variant="outlined"
            inputProps={{ maxLength: 512 }}
          />
        </>
      )}
      <TextField
        id="probe-interval"
        select
        label={t('probeDialog.interval')}
        value={interval}
        onChange={e => setInterval(e.target.value)}
        SelectProps={{ native: true }}
        fullWidth
        margin="dense"
        variant="outlined"
      >
        {intervals.map(i => (
          <option key={i} value={i}>
            {(PROBE_INTERVALS as readonly string[]).includes(i)
              ? t(`probeDialog.i${i}`)
              : i}
          </option>
        ))}
      </TextField>
    </ActionDialog>
  );
}
