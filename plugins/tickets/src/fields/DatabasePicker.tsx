import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import FormControl from '@material-ui/core/FormControl';
import TextField from '@material-ui/core/TextField';
import Autocomplete from '@material-ui/lab/Autocomplete';
import { ticketsTranslationRef } from '../translation/translation';
import { useCatalogResources } from './catalogResources';

/**
 * Scaffolder field `OpsdeckDatabasePicker`: one catalog database (Resource of
 * type database), shown with its engine. The value is its entity ref; the
 * fulfilment action checks it again on the server.
 */
export function DatabasePicker(props: FieldExtensionComponentProps<string>) {
  const { t } = useTranslationRef(ticketsTranslationRef);
  const { formData, onChange, schema, required, rawErrors, idSchema } = props;
  const { loading, error, options } = useCatalogResources('database');
  const selected = options.find(o => o.ref === formData) ?? null;
  const label = (o: { title: string; engine: string; environment: string }) =>
    `${o.title} — ${[o.engine, o.environment].filter(Boolean).join(', ')}`;

  return (
    <FormControl
      fullWidth
      margin="normal"
      required={required}
      error={(rawErrors?.length ?? 0) > 0}
    >
      <Autocomplete
        id={idSchema?.$id ?? 'opsdeck-database-picker'}
        loading={loading}
        options={options}
        value={selected}
        getOptionLabel={label}
        getOptionSelected={(a, b) => a.ref === b.ref}
        loadingText={t('fields.loading')}
        noOptionsText={t('fields.noDatabases')}
        onChange={(_e, value) => onChange(value?.ref ?? '')}
        renderInput={params => (
          <TextField
            {...params}
            label={schema.title}
            required={required}
            helperText={error ? error.message : schema.description}
            error={Boolean(error) || (rawErrors?.length ?? 0) > 0}
          />
        )}
      />
    </FormControl>
  );
}
