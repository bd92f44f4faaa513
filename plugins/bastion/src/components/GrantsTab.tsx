import { useState } from 'react';
import { Button, Checkbox, Chip, FormControlLabel } from '@material-ui/core';
import { bastionGrantManagePermission } from '@opsdeck/plugin-opsdeck-common';
import { useAllowed } from '@opsdeck/plugin-opsdeck-common/react';
import {
  CreateForm,
  DataTable,
  ErrorAlert,
  formatTime,
  Loaded,
  OutlinedField,
  selectorText,
  useEditableList,
  useFormValues,
  useT,
} from './common';
import { EntityRefPicker } from './EntityRefPicker';

const SELECTOR_KEYS = ['host', 'system', 'owner', 'tag'] as const;
/** Who a grant is for: a user or a group of the catalog. */
const SUBJECT_KINDS = ['user', 'group'];
/** The hosts a grant's selector may name: the catalog's Resources of type host. */
const HOST_KINDS = ['resource'];
const HOST_FILTER = { 'spec.type': 'host' };

/** Access grants: who may open sessions on which hosts, until when; create and revoke. */
export function GrantsTab() {
  const t = useT();
  const canManage = useAllowed(bastionGrantManagePermission).allowed;
  const [hideExpired, setHideExpired] = useState(false);
  const expired = (g: { expiresAt: string }) =>
    new Date(g.expiresAt).getTime() <= Date.now();
  const { client, state, error, setError, attempt } = useEditableList(c =>
    c.listGrants(),
  );
  const { values: form, bind } = useFormValues({
    subject: '',
    host: '',
    system: '',
    owner: '',
    tag: '',
    loginUser: 'opsdeck',
    hours: '8',
    reason: '',
  });
  const field = (key: keyof typeof form, label: string, helper?: string) => (
    <OutlinedField
      id={`bastion-grant-${key}`}
      label={label}
      helperText={helper}
      {...bind(key)}
    />
  );
  const create = () =>
    attempt(async () => {
      const selector = Object.fromEntries(
        SELECTOR_KEYS.filter(k => form[k].trim()).map(k => [k, form[k].trim()]),
      );
      await client.createGrant({
        subject: form.subject.trim(),
        selector,
        loginUser: form.loginUser.trim(),
        expiresAt: new Date(
          Date.now() + Number(form.hours) * 3600_000,
        ).toISOString(),
        reason: form.reason.trim() || undefined,
      });
      setError(undefined);
      state.retry();
    });
  const revoke = (id: string) =>
    attempt(async () => {
      await client.revokeGrant(id);
      state.retry();
    });
  return (
    <>
      {canManage && (
        <CreateForm onSubmit={create} ariaLabel={t('tabs.grants')}>
          <EntityRefPicker
            id="bastion-grant-subject"
            label={t('grants.subject')}
            helperText={t('grants.subjectHelp')}
            kinds={SUBJECT_KINDS}
            {...bind('subject')}
          />
          <EntityRefPicker
            id="bastion-grant-host"
            label={t('grants.hostSel')}
            helperText={t('grants.hostHelp')}
            noOptionsText={t('picker.noHost')}
            kinds={HOST_KINDS}
            filter={HOST_FILTER}
            valueAs="name"
            {...bind('host')}
          />
          {field('system', t('grants.systemSel'))}
          {field('owner', t('grants.ownerSel'))}
          {field('tag', t('grants.tagSel'))}
          {field('loginUser', t('grants.loginUser'))}
          {field('hours', t('grants.hours'))}
          {field('reason', t('grants.reason'))}
        </CreateForm>
      )}
      <FormControlLabel
        label={t('grants.hideExpired')}
        control={
          <Checkbox
            checked={hideExpired}
            onChange={e => setHideExpired(e.target.checked)}
          />
        }
      />
      <ErrorAlert error={error} />
      <Loaded state={state}>
        {v => (
          <DataTable
            items={v.items.filter(g => !hideExpired || !expired(g))}
            rowKey={g => g.id}
            rowTestId={g => `bastion-grant-${g.id}`}
            columns={[
              { title: t('grants.subject'), cell: g => g.subject },
              {
                title: t('grants.selector'),
                cell: g => selectorText(g.selector),
              },
              { title: t('grants.loginUser'), cell: g => g.loginUser },
              {
                title: t('grants.expiresAt'),
                cell: g => (
                  <span style={{ whiteSpace: 'nowrap' }}>
                    {formatTime(g.expiresAt)}{' '}
                    {expired(g) && (
                      <Chip size="small" label={t('grants.expired')} />
                    )}
                  </span>
                ),
              },
              { title: t('grants.createdBy'), cell: g => g.createdBy },
              canManage && {
                title: t('common.actions'),
                cell: g => (
                  <Button size="small" onClick={() => revoke(g.id)}>
                    {t('common.revoke')}
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
