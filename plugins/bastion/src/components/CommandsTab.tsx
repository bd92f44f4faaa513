import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  DataTable,
  formatTime,
  Loaded,
  shortUserRef,
  SingleFieldForm,
  useT,
} from './common';
import { useBastionClient } from './useBastion';

/** Search of the commands run in sessions. */
export function CommandsTab() {
  const t = useT();
  const client = useBastionClient();
  const [q, setQ] = useState('');
  const [query, setQuery] = useState({ q: '' });
  const state = useAsyncRetry(
    () => client.searchCommands(query),
    [client, query],
  );
  return (
    <>
      <SingleFieldForm
        id="bastion-command-query"
        label={t('commands.query')}
        value={q}
        onChange={setQ}
        submitLabel={t('common.search')}
        onSubmit={() => setQuery({ q })}
        mb={2}
      />
      <Loaded state={state}>
        {v => (
          <DataTable
            ariaLabel={t('tabs.commands')}
            items={v.items}
            rowKey={c => c.id}
            columns={[
              { title: t('commands.at'), cell: c => formatTime(c.at) },
              { title: t('common.user'), cell: c => shortUserRef(c.userRef) },
              { title: t('common.host'), cell: c => c.host },
              {
                title: t('commands.command'),
                cell: c => <code>{c.command}</code>,
              },
              { title: t('commands.action'), cell: c => c.action },
            ]}
          />
        )}
      </Loaded>
    </>
  );
}
