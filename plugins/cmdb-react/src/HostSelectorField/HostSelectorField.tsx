import {
  coreApis,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Autocomplete from '@material-ui/lab/Autocomplete';
import {
  hasHostCriteria,
  type HostSelector,
} from '@opsdeck/plugin-cmdb-common';
import { useEffect, useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { resolveHosts } from '../resolveHosts';
import { cmdbReactTranslationRef } from '../translation/translation';

/** The catalog facets the fields offer. */
const FACETS = {
  names: 'metadata.name',
  system: 'spec.system',
  owner: 'spec.owner',
  environment: 'spec.environment',
  tags: 'metadata.tags',
} as const;

type Field = keyof typeof FACETS;

/** How long the preview waits after the last change before it asks. */
const PREVIEW_DELAY_MS = 400;
/** Host names shown in the preview. */
const PREVIEW_NAMES = 5;

/** Splits typed text into values: commas and white space separate them. */
function split(values: string[]): string[] {
  return [
    ...new Set(
      values.flatMap(v => v.split(/[\s,]+/)).filter(v => v.trim() !== ''),
    ),
  ];
}

/** The selector without empty fields. */
export function cleanSelector(selector: HostSelector): HostSelector {
  const clean: HostSelector = {};
  if (selector.names?.length) clean.names = selector.names;
  if (selector.system?.trim()) clean.system = selector.system.trim();
  if (selector.owner?.trim()) clean.owner = selector.owner.trim();
  if (selector.environment?.trim()) {
    clean.environment = selector.environment.trim();
  }
  if (selector.tags?.length) clean.tags = selector.tags;
  return clean;
}

export interface HostSelectorFieldProps {
  value: HostSelector;
  onChange(value: HostSelector): void;
  /** Prefix of the fields' ids (`<idPrefix>-names`, ...); default `host-selector`. */
  idPrefix?: string;
  /** Fields to leave out (e.g. a feature that takes names only). */
  hide?: Field[];
  disabled?: boolean;
}

/**
 * opsdeck's one host selection: host names, system, owner, environment and
 * tags (cmdb-common's `HostSelector`, one meaning per field), each offering
 * the values the catalog's hosts have, and a live "N hosts match" preview
 * from the CMDB's host index as the signed-in user may see it. Every feature
 * that targets hosts uses it.
 */
export function HostSelectorField(props: HostSelectorFieldProps) {
  const { value, onChange, idPrefix = 'host-selector', hide = [] } = props;
  const { t } = useTranslationRef(cmdbReactTranslationRef);
  const catalogApi = useApi(catalogApiRef);
  const discoveryApi = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);

  const facets = useAsync(async () => {
    const response = await catalogApi.getEntityFacets({
      filter: { kind: 'resource', 'spec.type': 'host' },
      facets: Object.values(FACETS),
    });
    const options = {} as Record<Field, string[]>;
    for (const [field, facet] of Object.entries(FACETS)) {
      options[field as Field] = (response.facets[facet] ?? [])
        .map(f => f.value)
        .sort((a, b) => a.localeCompare(b));
    }
    return options;
  }, [catalogApi]);
  const options = (field: Field) => facets.value?.[field] ?? [];

  // the live preview, once the selection has stopped changing
  const selector = cleanSelector(value);
  const key = JSON.stringify(selector);
  const [debounced, setDebounced] = useState(key);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(key), PREVIEW_DELAY_MS);
    return () => clearTimeout(timer);
  }, [key]);
  const preview = useAsync(async () => {
    const wanted = JSON.parse(debounced) as HostSelector;
    if (!hasHostCriteria(wanted)) return undefined;
    return resolveHosts({ discoveryApi, fetchApi }, wanted, PREVIEW_NAMES);
  }, [discoveryApi, fetchApi, debounced]);

  // names and tags: typed text becomes values at a comma or space, and what
  // is left when the field loses focus
  const [typed, setTyped] = useState({ names: '', tags: '' });
  // the same array while the values are the same (a new one would reset
  // what is being typed)
  const namesKey = JSON.stringify(value.names ?? []);
  const tagsKey = JSON.stringify(value.tags ?? []);
  const chips = useMemo(
    () => ({
      names: JSON.parse(namesKey) as string[],
      tags: JSON.parse(tagsKey) as string[],
    }),
    [namesKey, tagsKey],
  );
  const commit = (field: 'names' | 'tags', values: string[]) => {
    const next = split([...(value[field] ?? []), ...values]);
    if (next.length !== (value[field] ?? []).length) {
      onChange({ ...value, [field]: next });
    }
  };
  const multi = (field: 'names' | 'tags', label: string) => (
    <Autocomplete
      id={`${idPrefix}-${field}`}
      multiple
      freeSolo
      filterSelectedOptions
      disabled={props.disabled}
      options={options(field)}
      value={chips[field]}
      inputValue={typed[field]}
      onInputChange={(_e, text, reason) => {
        if (reason === 'reset') {
          setTyped(t0 => ({ ...t0, [field]: '' }));
          return;
        }
        const parts = text.split(/[\s,]+/);
        if (parts.length > 1) commit(field, parts.slice(0, -1));
        setTyped(t0 => ({ ...t0, [field]: parts[parts.length - 1] }));
      }}
      onChange={(_e, next) =>
        onChange({ ...value, [field]: split(next as string[]) })
      }
      renderInput={params => (
        <TextField
          {...params}
          onBlur={() => {
            if (typed[field].trim()) {
              commit(field, [typed[field]]);
              setTyped(t0 => ({ ...t0, [field]: '' }));
            }
          }}
          label={label}
          margin="dense"
          variant="outlined"
          fullWidth
        />
      )}
    />
  );
  const single = (field: 'system' | 'owner' | 'environment', label: string) => (
    <Autocomplete
      id={`${idPrefix}-${field}`}
      freeSolo
      disabled={props.disabled}
      options={options(field)}
      inputValue={value[field] ?? ''}
      onInputChange={(_e, next, reason) => {
        // MUI resets the input to '' on mount (no option selected): keep the
        // given value (an edited selector's system, owner or environment)
        if (reason === 'reset' && next === '') return;
        onChange({ ...value, [field]: next });
      }}
      renderInput={params => (
        <TextField
          {...params}
          label={label}
          margin="dense"
          variant="outlined"
          fullWidth
        />
      )}
    />
  );

  let previewText: string;
  if (!hasHostCriteria(selector)) previewText = t('selector.previewEmpty');
  else if (preview.loading || debounced !== key) {
    previewText = t('selector.previewLoading');
  } else if (preview.error) {
    previewText = t('selector.previewFailed', {
      message: preview.error.message,
    });
  } else {
    const found = preview.value ?? { items: [], total: 0 };
    const names = found.items.map(h => h.name).join(', ');
    previewText =
      found.total === 0
        ? t('selector.previewNone')
        : t('selector.previewCount', {
            count: found.total,
            names:
              found.total > found.items.length
                ? t('selector.previewMore', { names })
                : names,
          });
  }

  return (
    <Box role="group" aria-label={t('selector.label')}>
      {!hide.includes('names') && multi('names', t('selector.names'))}
      {!hide.includes('system') && single('system', t('selector.system'))}
      {!hide.includes('owner') && single('owner', t('selector.owner'))}
      {!hide.includes('environment') &&
        single('environment', t('selector.environment'))}
      {!hide.includes('tags') && multi('tags', t('selector.tags'))}
      <Typography
        variant="body2"
        color="textSecondary"
        data-testid={`${idPrefix}-preview`}
        aria-live="polite"
      >
        {previewText}
      </Typography>
    </Box>
  );
}
