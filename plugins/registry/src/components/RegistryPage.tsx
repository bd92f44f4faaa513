import { Content, Header, Page, Progress } from '@backstage/core-components';
import {
  Button,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { ManifestView } from './ManifestView';
import { NameList } from './NameList';
import { RegistryErrorAlert } from './RegistryErrorAlert';
import { RepositoryComponents } from './RepositoryComponents';
import { registryPath, useRegistryClient, useT } from './useRegistry';

/**
 * The registry page: a registry picked from the catalog, its repositories,
 * a repository's tags (with the components that name the repository), a
 * tag's manifest. `?registry=<ref>&repository=<path>` opens a repository
 * (the component card links here so).
 */
export function RegistryPage() {
  const t = useT();
  const client = useRegistryClient();
  const [params] = useSearchParams();
  const registries = useAsync(() => client.listRegistries(), [client]);
  const [registry, setRegistry] = useState<string>();
  const [repository, setRepository] = useState<string | undefined>(
    () => params.get('repository') ?? undefined,
  );
  const [tag, setTag] = useState<string>();
  const [notice, setNotice] = useState<string>();

  useEffect(() => {
    const items = registries.value?.items;
    if (registry || !items?.length) return;
    // the linked registry when the person can see it, else the first
    const wanted = params.get('registry')?.toLocaleLowerCase('en-US');
    const linked = items.find(r => r.ref.toLocaleLowerCase('en-US') === wanted);
    setRegistry((linked ?? items[0]).ref);
    if (!linked) setRepository(undefined);
    // only when the registries arrive
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [registries.value]);

  const loadRepositories = useCallback(
    (limit: number, last?: string) =>
      client.listRepositories({
        path: registryPath(registry!),
        query: { limit, last },
      }),
    [client, registry],
  );
  const loadTags = useCallback(
    (limit: number, last?: string) =>
      client.listTags({
        path: registryPath(registry!),
        query: { repository: repository!, limit, last },
      }),
    [client, registry, repository],
  );

  let body;
  if (registries.loading) body = <Progress />;
  else if (registries.error) {
    body = <RegistryErrorAlert error={registries.error} />;
  } else if (!registries.value?.items.length || !registry) {
    body = <Typography>{t('registries.none')}</Typography>;
  } else if (repository && tag) {
    body = (
      <ManifestView
        registry={registry}
        repository={repository}
        tag={tag}
        onBack={() => setTag(undefined)}
        onDeleted={result => {
          setNotice(
            t('delete.done', {
              tags: result.removedTags
                .map(x => `${result.repository}:${x}`)
                .join(', '),
              gc: result.garbageCollection,
            }),
          );
          setTag(undefined);
        }}
      />
    );
  } else if (repository) {
    body = (
      <>
        <Button onClick={() => setRepository(undefined)}>
          {t('tags.back')}
        </Button>
        <RepositoryComponents registry={registry} repository={repository} />
        <NameList
          key={`${registry}|${repository}|${notice ?? ''}`}
          title={t('tags.title', { repository })}
          empty={t('tags.empty')}
          more={t('tags.more')}
          load={loadTags}
          onOpen={name => {
            setNotice(undefined);
            setTag(name);
          }}
        />
      </>
    );
  } else {
    body = (
      <NameList
        key={registry}
        title={t('repositories.title')}
        empty={t('repositories.empty')}
        more={t('repositories.more')}
        load={loadRepositories}
        onOpen={name => {
          setNotice(undefined);
          setRepository(name);
        }}
      />
    );
  }

  return (
    <Page themeId="tool">
      <Header title={t('page.title')} subtitle={t('page.subtitle')} />
      <Content>
        {registries.value && registries.value.items.length > 0 && (
          <FormControl style={{ minWidth: 280, marginBottom: 16 }}>
            <InputLabel id="registry-select">
              {t('registries.label')}
            </InputLabel>
            <Select
              labelId="registry-select"
              value={registry ?? ''}
              onChange={e => {
                setRegistry(String(e.target.value));
                setRepository(undefined);
                setTag(undefined);
                setNotice(undefined);
              }}
            >
              {registries.value.items.map(r => (
                <MenuItem key={r.ref} value={r.ref}>
                  {r.title} ({r.url})
                </MenuItem>
              ))}
            </Select>
          </FormControl>
        )}
        {notice && <Alert severity="success">{notice}</Alert>}
        {body}
      </Content>
    </Page>
  );
}
