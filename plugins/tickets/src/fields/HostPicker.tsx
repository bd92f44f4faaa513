import {
  useTranslationRef,
  type TranslationFunction,
} from '@backstage/frontend-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import Box from '@material-ui/core/Box';
import FormControl from '@material-ui/core/FormControl';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Autocomplete from '@material-ui/lab/Autocomplete';
import { useMemo, useState } from 'react';
import { ticketsTranslationRef } from '../translation/translation';
import { type ResourceOption, useCatalogResources } from './catalogResources';

/** `ui:options` of OpsdeckHostPicker. */
export interface HostPickerUiOptions {
  /** Preselected environment filter (e.g. prod). */
  environment?: string;
  /** Allow one host only (the value is still an array). */
  single?: boolean;
}

function distinct(values: string[]): string[] {
  return [...new Set(values.filter(Boolean))].sort();
}

function FilterSelect(props: {
  id: string;
  label: string;
  value: string;
  values: string[];
  onChange(value: string): void;
  t: TranslationFunction<typeof ticketsTranslationRef.T>;
}) {
  return (
    <TextField
      id={props.id}
      select
      label={props.label}
      value={props.value}
      onChange={e => props.onChange(e.target.value as string)}
      style={{ minWidth: 160, marginRight: 16 }}
    >
      <MenuItem value="">{props.t('fields.any')}</MenuItem>
      {/* the chosen value stays listed while the catalog loads or has no such host */}
      {distinct([...props.values, props.value]).map(v => (
        <MenuItem key={v} value={v}>
          {v}
        </MenuItem>
      ))}
    </TextField>
  );
}

/**
 * Scaffolder field `OpsdeckHostPicker`: several catalog hosts (Resources of
 * type host), filtered by environment and system. The value is a list of
 * entity refs; the fulfilment actions check them again on the server.
 */
export function HostPicker(
  props: FieldExtensionComponentProps<string[], HostPickerUiOptions>,
) {
  const { t } = useTranslationRef(ticketsTranslationRef);
  const {
    formData,
    onChange,
    schema,
    required,
    rawErrors,
    uiSchema,
    idSchema,
  } = props;
  const { loading, error, options } = useCatalogResources('host');
  const [environment, setEnvironment] = useState(
    uiSchema?.['ui:options']?.environment ?? '',
  );
  const [system, setSystem] = useState('');
  const visible = useMemo(
    () =>
      options.filter(
        o =>
          (!environment || o.environment === environment) &&
          (!system || o.system === system),
      ),
    [options, environment, system],
  );
  const selected = (formData ?? [])
    .map(ref => options.find(o => o.ref === ref))
    .filter((o): o is ResourceOption => Boolean(o));
  const id = idSchema?.$id ?? 'opsdeck-host-picker';

  return (
    <FormControl
      fullWidth
      margin="normal"
      required={required}
      error={(rawErrors?.length ?? 0) > 0}
    >
      <Box display="flex" mb={1}>
        <FilterSelect
          id={`${id}-environment`}
          label={t('fields.environment')}
          value={environment}
          values={distinct(options.map(o => o.environment))}
          onChange={setEnvironment}
          t={t}
        />
        <FilterSelect
          id={`${id}-system`}
          label={t('fields.system')}
          value={system}
          values={distinct(options.map(o => o.system))}
          onChange={setSystem}
          t={t}
        />
      </Box>
      <Autocomplete
        multiple
        id={id}
        loading={loading}
        options={visible}
        value={selected}
        getOptionLabel={o => o.title}
        getOptionSelected={(a, b) => a.ref === b.ref}
        renderOption={o => (
          <span>
            {o.title}
            {o.environment || o.system
              ? ` (${[o.environment, o.system].filter(Boolean).join(', ')})`
              : ''}
          </span>
        )}
        loadingText={t('fields.loading')}
        noOptionsText={t('fields.noHosts')}
        onChange={(_e, value) => {
          const refs = value.map(o => o.ref);
          onChange(uiSchema?.['ui:options']?.single ? refs.slice(-1) : refs);
        }}
        renderInput={params => (
          <TextField
            {...params}
            label={schema.title}
            // The chips are the value; the text input stays empty, so the
            // browser's "required" check applies only while nothing is chosen.
            required={required && selected.length === 0}
            helperText={error ? error.message : schema.description}
            error={Boolean(error) || (rawErrors?.length ?? 0) > 0}
          />
        )}
      />
    </FormControl>
  );
}
