import { usePermission } from '@backstage/plugin-permission-react';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import FormControl from '@material-ui/core/FormControl';
import FormHelperText from '@material-ui/core/FormHelperText';
import FormLabel from '@material-ui/core/FormLabel';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import Autocomplete from '@material-ui/lab/Autocomplete';
import { registryReadPermission } from '@opsdeck/plugin-opsdeck-common';
import type { Registry as RegistrySummary } from '../schema/openapi.client.generated';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  registryPath,
  useRegistryClient,
  useT,
} from '../components/useRegistry';
import { imageValue, listAll, MAX_LISTED, parseImageValue } from './imageValue';

/**
 * Scaffolder field `OpsdeckRegistryImagePicker`: a tag of a repository of a
 * registry in the catalog, picked from the registry plugin's API (the
 * registries, repositories and tags the person may read). The value is
 * `host/repository:tag`; the deploy action parses it and resolves the tag to
 * its digest again on the server. Without the registry read permission the
 * field is disabled and says why.
 */
export function RegistryImagePicker(
  props: FieldExtensionComponentProps<string>,
) {
  const t = useT();
  const client = useRegistryClient();
  const { formData, onChange, schema, required, rawErrors, idSchema } = props;
  const id = idSchema?.$id ?? 'opsdeck-registry-image';
  const { allowed, loading: checking } = usePermission({
    permission: registryReadPermission,
  });
  const [registry, setRegistry] = useState<RegistrySummary | null>(null);
  const [repository, setRepository] = useState<string | null>(null);
  const [tag, setTag] = useState<string | null>(null);

  const registries = useAsync(async () => {
    if (!allowed) return [];
    return (await client.listRegistries()).items;
  }, [client, allowed]);
  // a value given back to the field (the form's Back button) selects again
  useEffect(() => {
    if (!registries.value || registry) return;
    const parsed = parseImageValue(formData, registries.value);
    if (parsed) {
      setRegistry(parsed.registry);
      setRepository(parsed.repository);
      setTag(parsed.tag);
    } else if (registries.value.length === 1) {
      setRegistry(registries.value[0]);
    }
    // only when the registries arrive
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [registries.value]);

  const repositories = useAsync(async () => {
    if (!registry) return { names: [], truncated: false };
    return listAll(last =>
      client.listRepositories({
        path: registryPath(registry.ref),
        query: { limit: 1000, last },
      }),
    );
  }, [client, registry?.ref]);
  const tags = useAsync(async () => {
    if (!registry || !repository) return { names: [], truncated: false };
    return listAll(last =>
      client.listTags({
        path: registryPath(registry.ref),
        query: { repository, limit: 1000, last },
      }),
    );
  }, [client, registry?.ref, repository]);

  const choose = (
    nextRegistry: RegistrySummary | null,
    nextRepository: string | null,
    nextTag: string | null,
  ) => {
    setRegistry(nextRegistry);
    setRepository(nextRepository);
    setTag(nextTag);
    onChange(
      nextRegistry && nextRepository && nextTag
        ? imageValue(nextRegistry, nextRepository, nextTag)
        : '',
    );
  };

  const invalid = (rawErrors?.length ?? 0) > 0;
  const denied = !checking && !allowed;
  const error = registries.error ?? repositories.error ?? tags.error;
  const truncated =
    repositories.value?.truncated || tags.value?.truncated
      ? t('fields.truncated', { max: MAX_LISTED })
      : undefined;
  let help: string | undefined = schema.description;
  if (denied) help = t('errors.forbidden');
  else if (error) help = t('errors.generic', { message: error.message });
  else if (registries.value?.length === 0) help = t('registries.none');
  else if (truncated) help = truncated;

  return (
    <FormControl
      fullWidth
      margin="normal"
      required={required}
      error={invalid || denied || Boolean(error)}
      component="fieldset"
    >
      <FormLabel component="legend">{schema.title}</FormLabel>
      <Grid container spacing={2}>
        <Grid item xs={12} md={4}>
          <Autocomplete
            id={`${id}-registry`}
            disabled={denied}
            loading={checking || registries.loading}
            options={registries.value ?? []}
            value={registry}
            getOptionLabel={r => r.title}
            getOptionSelected={(a, b) => a.ref === b.ref}
            loadingText={t('fields.loading')}
            noOptionsText={t('registries.none')}
            onChange={(_e, value) => choose(value, null, null)}
            renderInput={params => (
              <TextField
                {...params}
                label={t('registries.label')}
                required={required}
              />
            )}
          />
        </Grid>
        <Grid item xs={12} md={5}>
          <Autocomplete
            id={`${id}-repository`}
            disabled={denied || !registry}
            loading={repositories.loading}
            options={repositories.value?.names ?? []}
            value={repository}
            loadingText={t('fields.loading')}
            noOptionsText={t('repositories.empty')}
            onChange={(_e, value) => choose(registry, value, null)}
            renderInput={params => (
              <TextField
                {...params}
                label={t('fields.repository')}
                required={required}
              />
            )}
          />
        </Grid>
        <Grid item xs={12} md={3}>
          <Autocomplete
            id={`${id}-tag`}
            disabled={denied || !repository}
            loading={tags.loading}
            options={tags.value?.names ?? []}
            value={tag}
            loadingText={t('fields.loading')}
            noOptionsText={t('tags.empty')}
            onChange={(_e, value) => choose(registry, repository, value)}
            renderInput={params => (
              <TextField
                {...params}
                label={t('fields.tag')}
                required={required}
              />
            )}
          />
        </Grid>
      </Grid>
      {help && <FormHelperText>{help}</FormHelperText>}
    </FormControl>
  );
}
