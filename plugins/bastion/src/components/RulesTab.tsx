import { Button, MenuItem } from '@material-ui/core';
import {
  CreateForm,
  DataTable,
  ErrorAlert,
  Loaded,
  OutlinedField,
  selectorText,
  useEditableList,
  useFormValues,
  useT,
} from './common';

/** Command rules: patterns that reject, alert or allow commands; create and delete. */
export function RulesTab() {
  const t = useT();
  const { client, state, error, setError, attempt } = useEditableList(c =>
    c.listRules(),
  );
  const { values: form, bind } = useFormValues({
    name: '',
    pattern: '',
    kind: 'command',
    action: 'reject',
    priority: '100',
  });
  const create = () =>
    attempt(async () => {
      await client.createRule({ ...form, priority: Number(form.priority) });
      setError(undefined);
      state.retry();
    });
  const remove = async (id: string) => {
    await attempt(() => client.deleteRule(id));
    state.retry();
  };
  return (
    <>
      <CreateForm onSubmit={create}>
        <OutlinedField
          id="bastion-rule-name"
          label={t('rules.name')}
          {...bind('name')}
        />
        <OutlinedField
          id="bastion-rule-pattern"
          label={t('rules.pattern')}
          {...bind('pattern')}
        />
        <OutlinedField
          id="bastion-rule-kind"
          label={t('rules.kind')}
          {...bind('kind')}
        >
          {(['command', 'construct', 'file'] as const).map(k => (
            <MenuItem key={k} value={k}>
              {t(`rules.kinds.${k}`)}
            </MenuItem>
          ))}
        </OutlinedField>
        <OutlinedField
          id="bastion-rule-action"
          label={t('rules.action')}
          {...bind('action')}
        >
          {(['reject', 'review', 'alert', 'allow'] as const).map(a => (
            <MenuItem key={a} value={a}>
              {t(`rules.actions.${a}`)}
            </MenuItem>
          ))}
        </OutlinedField>
        <OutlinedField
          id="bastion-rule-priority"
          label={t('rules.priority')}
          {...bind('priority')}
        />
      </CreateForm>
      <ErrorAlert error={error} />
      <Loaded state={state}>
        {v => (
          <DataTable
            items={v.items}
            rowKey={r => r.id}
            columns={[
              { title: t('rules.priority'), cell: r => r.priority },
              { title: t('rules.name'), cell: r => r.name },
              { title: t('rules.kind'), cell: r => t(`rules.kinds.${r.kind}`) },
              {
                title: t('rules.pattern'),
                cell: r => <code>{r.pattern}</code>,
              },
              {
                title: t('rules.action'),
                cell: r => t(`rules.actions.${r.action}`),
              },
              {
                title: t('rules.scope'),
                cell: r => selectorText(r.scope) || t('rules.everywhere'),
              },
              {
                title: t('common.actions'),
                cell: r => (
                  <Button size="small" onClick={() => remove(r.id)}>
                    {t('common.delete')}
                  </Button>
                ),
              },
            ]}
          />
        )}
      </Loaded>
    </>
  );
}
