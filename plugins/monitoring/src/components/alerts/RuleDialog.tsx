import { useState } from 'react';
import {
  Checkbox,
  FormControlLabel,
  FormLabel,
  Radio,
  RadioGroup,
  TextField,
} from '@material-ui/core';
import {
  cleanSelector,
  HostSelectorField,
  type HostSelector,
} from '@opsdeck/plugin-cmdb-react';
import {
  RULE_SEVERITIES,
  type AlertRule,
  type RuleInput,
  type RuleScope,
  type RuleSeverity,
  type RuleTemplateId,
  type RuleTemplateSummary,
} from '@opsdeck/plugin-monitoring-common';
import { EntityPicker } from './EntityPicker';
import { ActionDialog, useAttempt } from './ActionDialog';
import { useT } from './hooks';

/** The backend's duration grammar for `for` (templates.ts). */
const DURATION = /^[1-9][0-9]{0,3}[smh]$/;

type ScopeMode = 'entity' | 'selector';

function selectorOf(scope: RuleScope): HostSelector {
  return cleanSelector({
    names: scope.names,
    owner: scope.owner,
    system: scope.system,
    environment: scope.environment,
    tags: scope.tags,
  });
}

export interface RuleDialogProps {
  /** The rule to edit; a new rule when absent. */
  rule?: AlertRule;
  templates: RuleTemplateSummary[];
  onClose(): void;
  /** Saves the rule; a rejection (e.g. promtool's refusal) is shown. */
  onSubmit(input: RuleInput): Promise<void>;
}

/**
 * Creates or edits an alert rule: a template, its parameters and a scope
 * (one entity picked from the catalog, or HostSelector fields).
 */
export function RuleDialog(props: RuleDialogProps) {
  const t = useT();
  const { rule, templates } = props;
  const [name, setName] = useState(rule?.name ?? '');
  const [template, setTemplate] = useState<RuleTemplateId>(
    (rule?.template as RuleTemplateId) ?? templates[0]?.id ?? 'host-down',
  );
  const current = templates.find(x => x.id === template);
  const [threshold, setThreshold] = useState(
    rule?.params.threshold !== undefined ? String(rule.params.threshold) : '',
  );
  const [forText, setFor] = useState(rule?.params.for ?? '');
  const [severity, setSeverity] = useState<RuleSeverity>(
    rule?.params.severity ?? 'critical',
  );
  const [mode, setMode] = useState<ScopeMode>(
    rule && !rule.scope.entityRef ? 'selector' : 'entity',
  );
  const [entityRef, setEntityRef] = useState(rule?.scope.entityRef ?? '');
  const [selector, setSelector] = useState<HostSelector>(
    rule ? selectorOf(rule.scope) : {},
  );
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [touched, setTouched] = useState(false);
  const { busy: saving, error, attempt } = useAttempt();

  let scope: RuleScope;
  if (mode === 'selector') scope = cleanSelector(selector) as RuleScope;
  else scope = entityRef ? { entityRef } : {};
  const nameMissing = name.trim() === '';
  const scopeMissing = Object.keys(scope).length === 0;
  const forInvalid = forText.trim() !== '' && !DURATION.test(forText.trim());

  const submit = async () => {
    setTouched(true);
    if (nameMissing || scopeMissing || forInvalid) return;
    const params: RuleInput['params'] = { severity };
    if (current?.threshold !== undefined && threshold.trim() !== '') {
      params.threshold = Number(threshold);
    }
    if (forText.trim()) params.for = forText.trim();
    await attempt(() =>
      props.onSubmit({
        name: name.trim(),
        template,
        scope,
        params,
        enabled,
      }),
    );
  };

  return (
    <ActionDialog
      form
      title={
        rule
          ? t('ruleDialog.editTitle', { name: rule.name })
          : t('ruleDialog.newTitle')
      }
      onClose={props.onClose}
      error={error}
      errorKey="ruleDialog.refused"
      busy={saving}
      actionLabel={t('common.save')}
      onAction={submit}
    >
      <TextField
        id="rule-name"
        label={t('ruleDialog.name')}
        value={name}
        onChange={e => setName(e.target.value)}
        error={touched && nameMissing}
        helperText={touched && nameMissing ? t('ruleDialog.nameRequired') : ''}
        fullWidth
        margin="dense"
        variant="outlined"
        inputProps={{ maxLength: 255 }}
      />
      <TextField
        id="rule-template"
        select
        label={t('ruleDialog.template')}
        value={template}
        onChange={e => setTemplate(e.target.value as RuleTemplateId)}
        SelectProps={{ native: true }}
        helperText={
          current
            ? t('ruleDialog.templateHelp', {
                alert: current.alert,
                for: current.defaultFor,
              })
            : ''
        }
        fullWidth
        margin="dense"
        variant="outlined"
      >
        {templates.map(x => (
          <option key={x.id} value={x.id}>
            {t(`templates.${x.id}`)}
          </option>
        ))}
      </TextField>
      {current?.threshold !== undefined && (
        <TextField
          id="rule-threshold"
          type="number"
          label={t('ruleDialog.threshold')}
          placeholder={String(current.threshold)}
          value={threshold}
          onChange={e => setThreshold(e.target.value)}
          inputProps={{ min: 0, max: 100 }}
          fullWidth
          margin="dense"
          variant="outlined"
        />
      )}
      <TextField
        id="rule-for"
        label={t('ruleDialog.for')}
        placeholder={current?.defaultFor}
        value={forText}
        onChange={e => setFor(e.target.value)}
        error={touched && forInvalid}
        helperText={
          touched && forInvalid
            ? t('ruleDialog.forInvalid')
            : t('ruleDialog.forHelp')
        }
        fullWidth
        margin="dense"
        variant="outlined"
      />
      <TextField
        id="rule-severity"
        select
        label={t('ruleDialog.severity')}
        value={severity}
        onChange={e => setSeverity(e.target.value as RuleSeverity)}
        SelectProps={{ native: true }}
        fullWidth
        margin="dense"
        variant="outlined"
      >
        {RULE_SEVERITIES.map(s => (
          <option key={s} value={s}>
            {t(`severities.${s}`)}
          </option>
        ))}
      </TextField>
      <FormLabel component="legend" style={{ marginTop: 16 }}>
        {t('ruleDialog.scope')}
      </FormLabel>
      <RadioGroup
        row
        value={mode}
        onChange={e => setMode(e.target.value as ScopeMode)}
      >
        <FormControlLabel
          value="entity"
          control={<Radio />}
          label={t('ruleDialog.scopeEntity')}
        />
        <FormControlLabel
          value="selector"
          control={<Radio />}
          label={t('ruleDialog.scopeSelector')}
        />
      </RadioGroup>
      {mode === 'entity' ? (
        <EntityPicker
          id="rule-entity"
          label={t('ruleDialog.entity')}
          value={entityRef}
          onChange={setEntityRef}
          error={touched && scopeMissing}
          helperText={
            touched && scopeMissing ? t('ruleDialog.scopeRequired') : ''
          }
        />
      ) : (
        <>
          <HostSelectorField
            idPrefix="rule-selector"
            value={selector}
            onChange={setSelector}
          />
          {touched && scopeMissing && (
            <FormLabel error>{t('ruleDialog.scopeRequired')}</FormLabel>
          )}
        </>
      )}
      <FormControlLabel
        control={
          <Checkbox
            checked={enabled}
            onChange={e => setEnabled(e.target.checked)}
          />
        }
        label={t('ruleDialog.enabled')}
      />
    </ActionDialog>
  );
}
