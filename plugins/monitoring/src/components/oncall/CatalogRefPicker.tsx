import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import TextField from '@material-ui/core/TextField';
import Autocomplete from '@material-ui/lab/Autocomplete';
import useAsync from 'react-use/esm/useAsync';
import { useT } from '../alerts/hooks';

export type RefOption = { ref: string; title: string };

function optionOf(entity: Entity): RefOption {
  const ref = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
  const profile = (
    entity.spec as { profile?: { displayName?: string } } | undefined
  )?.profile;
  const name =
    profile?.displayName ?? entity.metadata.title ?? entity.metadata.name;
  return { ref, title: `${name} (${ref})` };
}

/**
 * The catalog's groups, or the users of one group (`memberOf`): what the
 * on-call pickers offer. Nothing that is not in the catalog can be typed.
 */
export function useCatalogRefs(
  filter: { kind: 'group' } | { kind: 'user'; memberOf: string },
) {
  const catalogApi = useApi(catalogApiRef);
  const memberOf = filter.kind === 'user' ? filter.memberOf : '';
  return useAsync(async () => {
    if (filter.kind === 'user' && !memberOf) return [];
    const { items } = await catalogApi.getEntities({
      filter:
        filter.kind === 'group'
          ? { kind: 'group' }
          : { kind: 'user', 'relations.memberOf': memberOf },
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'spec.profile.displayName',
      ],
    });
    return items.map(optionOf).sort((a, b) => a.title.localeCompare(b.title));
  }, [catalogApi, filter.kind, memberOf]);
}

/** One entity ref picked among `options` (a group, an override's person). */
export function RefPicker(props: {
  id: string;
  label: string;
  options: RefOption[];
  loading?: boolean;
  value: string;
  onChange(ref: string): void;
  error?: boolean;
  helperText?: string;
}) {
  const t = useT();
  const selected =
    props.options.find(o => o.ref === props.value) ??
    (props.value ? { ref: props.value, title: props.value } : null);
  return (
    <Autocomplete
      id={props.id}
      options={props.options}
      loading={props.loading}
      loadingText={t('picker.loading')}
      noOptionsText={t('picker.none')}
      value={selected}
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

/** Several entity refs picked among `options`, in the order picked (the rotation's turn order). */
export function RefsPicker(props: {
  id: string;
  label: string;
  options: RefOption[];
  loading?: boolean;
  value: string[];
  onChange(refs: string[]): void;
  error?: boolean;
  helperText?: string;
}) {
  const t = useT();
  const byRef = new Map(props.options.map(o => [o.ref, o]));
  const selected = props.value.map(
    ref => byRef.get(ref) ?? { ref, title: ref },
  );
  return (
    <Autocomplete
      id={props.id}
      multiple
      options={props.options}
      loading={props.loading}
      loadingText={t('picker.loading')}
      noOptionsText={t('picker.none')}
      value={selected}
      getOptionLabel={o => o.title}
      getOptionSelected={(o, v) => o.ref === v.ref}
      onChange={(_e, next) => props.onChange(next.map(o => o.ref))}
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
