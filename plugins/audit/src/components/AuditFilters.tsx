import { ChangeEvent, FormEvent } from 'react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { AuditEventFacets } from '@opsdeck/plugin-opsdeck-common';
import { Box, Button, MenuItem, Paper, TextField } from '@material-ui/core';
import Autocomplete from '@material-ui/lab/Autocomplete';
import { auditTranslationRef } from '../translation/translation';
import type { EntityOption } from './catalogOptions';

/** What the filter form holds (strings as typed or picked). */
export type Filters = {
  actor: string;
  action: string;
  plugin: string;
  target: string;
  outcome: string;
  from: string;
  to: string;
};

export const emptyFilters: Filters = {
  actor: '',
  action: '',
  plugin: '',
  target: '',
  outcome: '',
  from: '',
  to: '',
};

const OUTCOMES = ['success', 'denied', 'failed'] as const;

/** A catalog picker that also takes what is typed (services, `job:<id>`, prefixes). */
function EntityFilter(props: {
  id: string;
  label: string;
  helperText?: string;
  placeholder?: string;
  value: string;
  options: EntityOption[];
  onChange(value: string): void;
}) {
  return (
    <Autocomplete
      id={props.id}
      freeSolo
      options={props.options.map(o => o.ref)}
      // the filter takes the ref; the list also shows the entity's title
      getOptionLabel={ref => ref}
      renderOption={ref => {
        const option = props.options.find(o => o.ref === ref);
        return option && option.label !== ref.split('/').pop()
          ? `${ref} (${option.label})`
          : ref;
      }}
      inputValue={props.value}
      onInputChange={(_e, value) => props.onChange(value)}
      onChange={(_e, value) => props.onChange(value ?? '')}
      style={{ minWidth: 260 }}
      renderInput={params => (
        <TextField
          {...params}
          label={props.label}
          placeholder={props.placeholder}
          helperText={props.helperText}
          size="small"
          variant="outlined"
        />
      )}
    />
  );
}

/** A choice of one value (or any), e.g. an outcome or an action. */
function SelectFilter(props: {
  id: string;
  label: string;
  any: string;
  value: string;
  onChange(e: ChangeEvent<{ value: unknown }>): void;
  /** [value, label] */
  options: [string, string][];
  minWidth?: number;
}) {
  return (
    <TextField
      id={props.id}
      select
      label={props.label}
      value={props.value}
      onChange={props.onChange}
      size="small"
      variant="outlined"
      style={{ minWidth: props.minWidth ?? 140 }}
    >
      <MenuItem value="">{props.any}</MenuItem>
      {props.options.map(([value, label]) => (
        <MenuItem key={value} value={value}>
          {label}
        </MenuItem>
      ))}
    </TextField>
  );
}

/** The Audit page's filters: actor and target from the catalog, outcome, action, plugin, time. */
export function AuditFilters(props: {
  draft: Filters;
  onDraft(next: Filters): void;
  onApply(): void;
  onReset(): void;
  onExport(): void;
  exporting: boolean;
  facets?: AuditEventFacets;
  users: EntityOption[];
  targets: EntityOption[];
}) {
  const { t } = useTranslationRef(auditTranslationRef);
  const { draft, onDraft } = props;
  const set = (key: keyof Filters) => (e: ChangeEvent<{ value: unknown }>) =>
    onDraft({ ...draft, [key]: String(e.target.value ?? '') });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    props.onApply();
  };

  return (
    <Paper>
      <Box
        component="form"
        onSubmit={onSubmit}
        p={2}
        display="flex"
        flexWrap="wrap"
        alignItems="flex-start"
        style={{ gap: 16 }}
        aria-label={t('page.title')}
      >
        <EntityFilter
          id="audit-filter-user"
          label={t('filters.user')}
          placeholder={t('filters.userPlaceholder')}
          value={draft.actor}
          options={props.users}
          onChange={actor => onDraft({ ...draft, actor })}
        />
        <EntityFilter
          id="audit-filter-target"
          label={t('filters.target')}
          helperText={t('filters.targetHelp')}
          value={draft.target}
          options={props.targets}
          onChange={target => onDraft({ ...draft, target })}
        />
        <SelectFilter
          id="audit-filter-outcome"
          label={t('filters.outcome')}
          any={t('filters.any')}
          value={draft.outcome}
          onChange={set('outcome')}
          options={OUTCOMES.map(o => [o, t(`outcome.${o}`)])}
        />
        <SelectFilter
          id="audit-filter-action"
          label={t('filters.action')}
          any={t('filters.any')}
          value={draft.action}
          onChange={set('action')}
          options={(props.facets?.actions ?? []).map(a => [a, a])}
          minWidth={180}
        />
        <SelectFilter
          id="audit-filter-plugin"
          label={t('filters.plugin')}
          any={t('filters.any')}
          value={draft.plugin}
          onChange={set('plugin')}
          options={(props.facets?.plugins ?? []).map(p => [p, p])}
        />
        <TextField
          id="audit-filter-from"
          label={t('filters.from')}
          type="datetime-local"
          value={draft.from}
          onChange={set('from')}
          size="small"
          variant="outlined"
          InputLabelProps={{ shrink: true }}
        />
        <TextField
          id="audit-filter-to"
          label={t('filters.to')}
          type="datetime-local"
          value={draft.to}
          onChange={set('to')}
          size="small"
          variant="outlined"
          InputLabelProps={{ shrink: true }}
        />
        <Button type="submit" variant="contained" color="primary">
          {t('filters.apply')}
        </Button>
        <Button type="button" onClick={props.onReset}>
          {t('filters.reset')}
        </Button>
        <Button
          type="button"
          variant="outlined"
          onClick={props.onExport}
          disabled={props.exporting}
        >
          {t('export.csv')}
        </Button>
      </Box>
    </Paper>
  );
}
