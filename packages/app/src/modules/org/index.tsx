import { useEffect, useState } from 'react';
import {
  DEFAULT_NAMESPACE,
  GroupEntity,
  stringifyEntityRef,
  UserEntity,
} from '@backstage/catalog-model';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  createFrontendModule,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import {
  catalogApiRef,
  EntityInfoCard,
  useEntity,
  useEntityRefLink,
} from '@backstage/plugin-catalog-react';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { UserAvatar } from '@backstage/plugin-org';
import { orgTranslationRef } from '@backstage/plugin-org/alpha';
import {
  Box,
  Card,
  Flex,
  Link,
  SearchField,
  TablePagination,
  Text,
} from '@backstage/ui';
import { appTranslationRef } from '../../translation/appTranslation';

const PAGE_SIZE = 50;

function Member(props: { member: UserEntity }) {
  const { t } = useTranslationRef(orgTranslationRef);
  const entityLink = useEntityRefLink();
  const { name, description } = props.member.metadata;
  const profile = props.member.spec?.profile;
  const displayName = profile?.displayName ?? name;
  return (
    <Card
      style={{
        display: 'flex',
        gap: 'var(--bui-space-3)',
        padding: 'var(--bui-space-3)',
        alignItems: 'flex-start',
        flexDirection: 'row',
        height: 140,
        overflow: 'hidden',
      }}
      href={entityLink(props.member)}
      label={t('membersListCard.cardLabel', { memberName: displayName })}
    >
      <UserAvatar
        displayName={displayName}
        entity={props.member}
        size="x-large"
      />
      <Flex direction="column" gap="1" style={{ overflow: 'hidden' }}>
        <Text variant="body-large" as="h4">
          {displayName}
        </Text>
        {profile?.email && (
          <Link href={`mailto:${profile.email}`}>{profile.email}</Link>
        )}
        {description && <Text>{description}</Text>}
      </Flex>
    </Card>
  );
}

function useDirectMembers(group: GroupEntity) {
  const catalogApi = useApi(catalogApiRef);
  const [state, setState] = useState<{
    loading: boolean;
    error?: Error;
    members: UserEntity[];
  }>({ loading: true, members: [] });
  const ref = stringifyEntityRef({
    kind: 'group',
    namespace: (group.metadata.namespace || DEFAULT_NAMESPACE).toLowerCase(),
    name: group.metadata.name.toLowerCase(),
  });
  useEffect(() => {
    let live = true;
    catalogApi
      .getEntities({ filter: { kind: 'User', 'relations.memberof': [ref] } })
      .then(
        res =>
          live &&
          setState({
            loading: false,
            members: (res.items as UserEntity[]).sort((a, b) =>
              stringifyEntityRef(a).localeCompare(stringifyEntityRef(b)),
            ),
          }),
        error => live && setState({ loading: false, error, members: [] }),
      );
    return () => {
      live = false;
    };
  }, [catalogApi, ref]);
  return state;
}

/**
 * The group's members, as Backstage's members card shows them (direct
 * members, a search field, pages of 50), with the count and the search
 * field in the user's language (Backstage writes "(2 of 2)" and "Search
 * members..." as fixed English).
 */
export function OpsdeckMembersListCard() {
  const { entity } = useEntity<GroupEntity>();
  const { t: to } = useTranslationRef(orgTranslationRef);
  const { t } = useTranslationRef(appTranslationRef);
  const { loading, error, members } = useDirectMembers(entity);
  const [offset, setOffset] = useState(0);
  const [searchTerm, setSearchTerm] = useState('');
  useEffect(() => setOffset(0), [searchTerm]);
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  const displayName =
    entity.spec?.profile?.displayName ??
    entity.metadata.title ??
    entity.metadata.name;
  const term = searchTerm.toLowerCase();
  const filtered = members.filter(m =>
    [
      m.metadata.name,
      m.metadata.title,
      m.spec?.profile?.displayName,
      m.spec?.profile?.email,
    ].some(v => v?.toLowerCase().includes(term)),
  );
  const shown = searchTerm ? filtered : members;
  const pagination =
    shown.length > PAGE_SIZE ? (
      <TablePagination
        showPageSizeOptions={false}
        pageSizeOptions={[PAGE_SIZE]}
        pageSize={PAGE_SIZE}
        offset={offset}
        totalCount={shown.length}
        hasNextPage={offset + PAGE_SIZE < shown.length}
        hasPreviousPage={offset > 0}
        onNextPage={() => setOffset(prev => prev + PAGE_SIZE)}
        onPreviousPage={() => setOffset(prev => Math.max(0, prev - PAGE_SIZE))}
      />
    ) : undefined;
  return (
    <EntityInfoCard
      title={t('members.title', {
        title: to('membersListCard.title', { groupName: displayName }),
        shown: String(filtered.length),
        total: String(members.length),
      })}
      footerActions={pagination}
    >
      <SearchField
        aria-label={t('members.search')}
        placeholder={t('members.searchPlaceholder')}
        value={searchTerm}
        onChange={setSearchTerm}
        onClear={() => setSearchTerm('')}
      />
      {shown.length > 0 ? (
        <ul
          style={{
            display: 'grid',
            gap: 'var(--bui-space-3)',
            gridTemplateColumns: 'repeat(auto-fit, minmax(275px, 1fr))',
            gridAutoRows: '1fr',
            margin: 0,
            padding: 0,
            paddingTop: 'var(--bui-space-3)',
            listStyle: 'none',
          }}
        >
          {shown.slice(offset, offset + PAGE_SIZE).map(member => (
            <li
              key={stringifyEntityRef(member)}
              style={{ display: 'contents' }}
            >
              <Member member={member} />
            </li>
          ))}
        </ul>
      ) : (
        <Box p="2">
          <Text as="p">
            {searchTerm
              ? to('membersListCard.noSearchResult', { searchTerm })
              : to('membersListCard.noMembersDescription')}
          </Text>
        </Box>
      )}
    </EntityInfoCard>
  );
}

/** Org module: the members card above in place of Backstage's (same extension name). */
export const orgMembersModule = createFrontendModule({
  pluginId: 'org',
  extensions: [
    EntityCardBlueprint.make({
      name: 'members-list',
      params: {
        filter: { kind: 'group' },
        loader: async () => <OpsdeckMembersListCard />,
      },
    }),
  ],
});
