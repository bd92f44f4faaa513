import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import TextField from '@material-ui/core/TextField';
import Autocomplete from '@material-ui/lab/Autocomplete';
import useAsync from 'react-use/esm/useAsync';
import { useT } from './hooks';

type Option = { ref: string; title: string };

/** The resource types Prometheus scrapes (opsdeck's service discovery). */
const MONITORED_TYPES = ['host', 'database', 'cache', 'queue'];

function optionOf(entity: Entity): Option {
  const ref = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
  const type = (entity.spec as { type?: string } | undefined)?.type;
  const name = entity.metadata.title ?? entity.metadata.name;
  return { ref, title: `${name} (${type ?? entity.kind}, ${ref})` };
}

/**
 * Picks a monitored catalog entity (a host, database, cache or queue resource) by
 * name or title; the value is its entity ref. Nothing that is not in the
 * catalog can be typed.
 */
export function EntityPicker(props: {
  id: string;
  label: string;
  value: string;
  onChange(ref: string): void;
  error?: boolean;
  helperText?: string;
  disabled?: boolean;
  /** Entity types offered (default every monitored type). */
  types?: readonly string[];
}) {
  const t = useT();
  const catalogApi = useApi(catalogApiRef);
  const entities = useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: {
        kind: 'resource',
        'spec.type': [...(props.types ?? MONITORED_TYPES)],
      },
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'spec.type',
      ],
    });
    return items.map(optionOf).sort((a, b) => a.title.localeCompare(b.title));
  }, [catalogApi, (props.types ?? MONITORED_TYPES).join(',')]);
  const options = entities.value ?? [];
  const selected =
    options.find(o => o.ref === props.value) ??
    (props.value ? { ref: props.value, title: props.value } : null);
  return (
    <Autocomplete
      id={props.id}
      options={options}
      loading={entities.loading}
      loadingText={t('picker.loading')}
      noOptionsText={t('picker.none')}
      value={selected}
      disabled={props.disabled}
      getOptionLabel={o => o.title}
      getOptionSelected={(o, v) => o.ref === v.ref}
      onChange={(_e, next) => props.onChange(next?.ref ?? '')}
      renderInput={params => (
        <TextField
          {...params}
          margin="dense"
          variant="outlined"
          label={props.label}
          error={props.error}
          helperText={props.helperText}
        />
      )}
    />
  );
}
