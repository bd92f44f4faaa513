import { useState } from 'react';
import { Progress } from '@backstage/core-components';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import type {
  AlertRule,
  RuleInput,
  RuleScope,
  RuleTemplateSummary,
} from '@opsdeck/plugin-monitoring-common';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { DeleteDialog } from './ActionDialog';
import { RuleDialog } from './RuleDialog';
import {
  ErrorNotice,
  formatTime,
  MonitoringT,
  shortRef,
  useAbilities,
  useMonitoringClient,
  useT,
} from './hooks';

/** A rule's scope in words. */
export function scopeText(t: MonitoringT, scope: RuleScope): string {
  if (scope.entityRef) return t('rules.scopeEntity', { ref: scope.entityRef });
  const parts: string[] = [];
  if (scope.names?.length) parts.push(scope.names.map(shortRef).join(', '));
  if (scope.owner) parts.push(`owner=${scope.owner}`);
  if (scope.system) parts.push(`system=${scope.system}`);
  if (scope.environment) parts.push(`environment=${scope.environment}`);
  if (scope.tags?.length) parts.push(`tags=${scope.tags.join(',')}`);
  return t('rules.scopeSelector', { selector: parts.join('; ') });
}

function VersionsDialog(props: { rule: AlertRule; onClose(): void }) {
  const t = useT();
  const client = useMonitoringClient();
  const versions = useAsync(
    () => client.ruleVersions(props.rule.id),
    [client, props.rule.id],
  );
  return (
    <Dialog open onClose={props.onClose} fullWidth maxWidth="md">
      <DialogTitle>
        {t('rules.versionsTitle', { name: props.rule.name })}
      </DialogTitle>
      <DialogContent>
        {versions.loading && <Progress />}
        {versions.error && <ErrorNotice t={t} error={versions.error} />}
        {versions.value && (
          <Table size="small" data-testid="rule-versions">
            <TableHead>
              <TableRow>
                <TableCell>{t('rules.version')}</TableCell>
                <TableCell>{t('rules.versionBy')}</TableCell>
                <TableCell>{t('rules.versionAt')}</TableCell>
                <TableCell>{t('rules.versionContent')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {versions.value.map(v => {
                const r = v.rule as Partial<AlertRule> & { deleted?: boolean };
                return (
                  <TableRow key={v.version}>
                    <TableCell>{v.version}</TableCell>
                    <TableCell>{shortRef(v.by)}</TableCell>
                    <TableCell>{formatTime(v.at)}</TableCell>
                    <TableCell>
                      {r.deleted
                        ? t('rules.versionDeleted')
                        : [
                            r.name,
                            r.template && t(`templates.${r.template}`),
                            r.scope && scopeText(t, r.scope),
                            r.params?.severity,
                            r.params?.threshold !== undefined
                              ? `${r.params.threshold}%`
                              : undefined,
                            r.params?.for,
                          ]
                            .filter(Boolean)
                            .join(' · ')}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>{t('common.close')}</Button>
      </DialogActions>
    </Dialog>
  );
}

type Open =
  | { kind: 'new' }
  | { kind: 'edit' | 'delete' | 'versions'; rule: AlertRule }
  | undefined;

/** Alert rules from templates: list, create, edit, delete, versions. */
export function RulesTab(props: { templates: RuleTemplateSummary[] }) {
  const t = useT();
  const client = useMonitoringClient();
  const { canManageRules } = useAbilities();
  const rules = useAsyncRetry(() => client.rules(), [client]);
  const [open, setOpen] = useState<Open>();
  const close = () => setOpen(undefined);
  const saved = () => {
    close();
    rules.retry();
  };

  return (
    <Box>
      <Box display="flex" alignItems="center" mb={1} style={{ gap: 16 }}>
        {canManageRules && (
          <Button
            color="primary"
            variant="contained"
            onClick={() => setOpen({ kind: 'new' })}
          >
            {t('rules.new')}
          </Button>
        )}
        <Button variant="outlined" onClick={rules.retry}>
          {t('common.refresh')}
        </Button>
      </Box>
      {rules.loading && !rules.value && <Progress />}
      {rules.error && <ErrorNotice t={t} error={rules.error} />}
      {rules.value && rules.value.length === 0 && (
        <Typography>{t('rules.empty')}</Typography>
      )}
      {rules.value && rules.value.length > 0 && (
        <Table size="small" data-testid="rules-table">
          <TableHead>
            <TableRow>
              <TableCell>{t('rules.name')}</TableCell>
              <TableCell>{t('rules.template')}</TableCell>
              <TableCell>{t('rules.scope')}</TableCell>
              <TableCell>{t('rules.severity')}</TableCell>
              <TableCell>{t('rules.enabled')}</TableCell>
              <TableCell>{t('rules.version')}</TableCell>
              <TableCell>{t('rules.updated')}</TableCell>
              <TableCell>{t('rules.actions')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {rules.value.map(rule => (
              <TableRow key={rule.id} data-testid={`rule-${rule.name}`}>
                <TableCell>{rule.name}</TableCell>
                <TableCell title={rule.expr}>
                  {t(`templates.${rule.template}`)}
                </TableCell>
                <TableCell>{scopeText(t, rule.scope)}</TableCell>
                <TableCell>
                  {t(`severities.${rule.params.severity ?? 'critical'}`)}
                </TableCell>
                <TableCell>
                  {rule.enabled ? t('rules.enabled') : t('rules.disabled')}
                </TableCell>
                <TableCell>{rule.version}</TableCell>
                <TableCell>
                  {shortRef(rule.updatedBy)}, {formatTime(rule.updatedAt)}
                </TableCell>
                <TableCell style={{ whiteSpace: 'nowrap' }}>
                  <Button
                    size="small"
                    onClick={() => setOpen({ kind: 'versions', rule })}
                  >
                    {t('rules.versions')}
                  </Button>
                  {canManageRules && (
                    <>
                      <Button
                        size="small"
                        onClick={() => setOpen({ kind: 'edit', rule })}
                      >
                        {t('rules.edit')}
                      </Button>
                      <Button
                        size="small"
                        onClick={() => setOpen({ kind: 'delete', rule })}
                      >
                        {t('rules.delete')}
                      </Button>
                    </>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {open?.kind === 'new' && (
        <RuleDialog
          templates={props.templates}
          onClose={close}
          onSubmit={async (input: RuleInput) => {
            await client.createRule(input);
            saved();
          }}
        />
      )}
      {open?.kind === 'edit' && (
        <RuleDialog
          rule={open.rule}
          templates={props.templates}
          onClose={close}
          onSubmit={async (input: RuleInput) => {
            await client.updateRule(open.rule.id, input);
            saved();
          }}
        />
      )}
      {open?.kind === 'delete' && (
        <DeleteDialog
          title={t('rules.deleteTitle', { name: open.rule.name })}
          body={t('rules.deleteBody')}
          errorKey="rules.deleteFailed"
          deleteLabel={t('rules.delete')}
          onClose={close}
          onDelete={async () => {
            await client.deleteRule(open.rule.id);
            saved();
          }}
        />
      )}
      {open?.kind === 'versions' && (
        <VersionsDialog rule={open.rule} onClose={close} />
      )}
    </Box>
  );
}
