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
        <TextField
          id="audit-filter-outcome"
          select
          label={t('filters.outcome')}
          value={draft.outcome}
          onChange={set('outcome')}
          size="small"
          variant="outlined"
          style={{ minWidth: 140 }}
        >
          <MenuItem value="">{t('filters.any')}</MenuItem>
          {OUTCOMES.map(outcome => (
            <MenuItem key={outcome} value={outcome}>
              {t(`outcome.${outcome}`)}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          id="audit-filter-action"
          select
          label={t('filters.action')}
          value={draft.action}
          onChange={set('action')}
          size="small"
          variant="outlined"
          style={{ minWidth: 180 }}
        >
          <MenuItem value="">{t('filters.any')}</MenuItem>
          {(props.facets?.actions ?? []).map(action => (
            <MenuItem key={action} value={action}>
              {action}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          id="audit-filter-plugin"
          select
          label={t('filters.plugin')}
          value={draft.plugin}
          onChange={set('plugin')}
          size="small"
          variant="outlined"
          style={{ minWidth: 140 }}
        >
          <MenuItem value="">{t('filters.any')}</MenuItem>
          {(props.facets?.plugins ?? []).map(plugin => (
            <MenuItem key={plugin} value={plugin}>
              {plugin}
            </MenuItem>
          ))}
        </TextField>
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
