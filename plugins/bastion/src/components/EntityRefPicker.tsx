import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import TextField from '@material-ui/core/TextField';
import Autocomplete from '@material-ui/lab/Autocomplete';
import useAsync from 'react-use/esm/useAsync';
import { useT } from './common';

type Option = { ref: string; title: string };

function optionOf(entity: Entity): Option {
  const profile = (entity.spec as { profile?: { displayName?: string } })
    ?.profile;
  const ref = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
  const name = profile?.displayName ?? entity.metadata.title;
  return { ref, title: name ? `${name} (${ref})` : ref };
}

/**
 * Picks a catalog entity (users and groups for grants) with search by name,
 * title or display name; the value is its entity ref. Nothing can be typed
 * that is not in the catalog.
 */
export function EntityRefPicker(props: {
  id: string;
  label: string;
  kinds: string[];
  value: string;
  onChange(ref: string): void;
  helperText?: string;
}) {
  const t = useT();
  const catalogApi = useApi(catalogApiRef);
  const entities = useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: { kind: props.kinds },
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'spec.profile.displayName',
      ],
    });
    return items.map(optionOf).sort((a, b) => a.title.localeCompare(b.title));
  }, [catalogApi, props.kinds.join(',')]);
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
      getOptionLabel={o => o.title}
      getOptionSelected={(o, v) => o.ref === v.ref}
      onChange={(_e, next) => props.onChange(next?.ref ?? '')}
      style={{ minWidth: 280 }}
      renderInput={params => (
        <TextField
          {...params}
          size="small"
          variant="outlined"
          label={props.label}
          helperText={props.helperText}
        />
      )}
    />
  );
}
