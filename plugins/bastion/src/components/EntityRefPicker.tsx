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

/** A host by its name (what grant selectors take), with environment and system. */
function hostOptionOf(entity: Entity): Option {
  const spec = entity.spec as { environment?: string; system?: string };
  const where = [spec?.environment, spec?.system].filter(Boolean).join(', ');
  const { name, title } = entity.metadata;
  const label = title && title !== name ? `${name} – ${title}` : name;
  return { ref: name, title: where ? `${label} (${where})` : label };
}

/**
 * Picks a catalog entity (users and groups for grants, hosts for their
 * selector) with search by name, title or display name; the value is its
 * entity ref, or with `valueAs="name"` its name (a host, shown with its
 * environment and system). Nothing can be typed that is not in the catalog.
 */
export function EntityRefPicker(props: {
  id: string;
  label: string;
  kinds: string[];
  /** More catalog filters, e.g. `{ 'spec.type': 'host' }`. */
  filter?: Record<string, string>;
  /** What the value is: the entity ref (default) or the entity's name. */
  valueAs?: 'ref' | 'name';
  value: string;
  onChange(ref: string): void;
  helperText?: string;
  noOptionsText?: string;
}) {
  const t = useT();
  const catalogApi = useApi(catalogApiRef);
  const byName = props.valueAs === 'name';
  const filterKey = JSON.stringify(props.filter ?? {});
  const entities = useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: { ...JSON.parse(filterKey), kind: props.kinds },
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'spec.profile.displayName',
        'spec.environment',
        'spec.system',
      ],
    });
    return items
      .map(byName ? hostOptionOf : optionOf)
      .sort((a, b) => a.title.localeCompare(b.title));
  }, [catalogApi, props.kinds.join(','), filterKey, byName]);
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
      noOptionsText={props.noOptionsText ?? t('picker.none')}
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
