import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { AuditEvent } from '@opsdeck/plugin-opsdeck-common';
import { Chip, Tooltip } from '@material-ui/core';
import { auditTranslationRef } from '../translation/translation';

/** success / denied / failed, with the error as tooltip. */
export function OutcomeChip(props: { event: AuditEvent }) {
  const { t } = useTranslationRef(auditTranslationRef);
  const { event } = props;
  const outcome =
    event.outcome ?? (event.status === 'failed' ? 'failed' : 'success');
  const chip = (
    <Chip
      size="small"
      label={t(`outcome.${outcome}`)}
      color={outcome === 'success' ? 'default' : 'secondary'}
      variant={outcome === 'denied' ? 'outlined' : 'default'}
    />
  );
  return event.error ? <Tooltip title={event.error}>{chip}</Tooltip> : chip;
}
