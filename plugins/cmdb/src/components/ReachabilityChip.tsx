import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { Chip, Tooltip } from '@material-ui/core';
import { cmdbTranslationRef } from '../translation/translation';

/** Reachable / unreachable (with the error as tooltip) / unknown. */
export function ReachabilityChip(props: {
  reachable: boolean | null;
  error?: string;
}) {
  const { t } = useTranslationRef(cmdbTranslationRef);
  if (props.reachable === true) {
    return (
      <Chip
        size="small"
        label={t('reachability.reachable')}
        style={{ backgroundColor: '#2e7d32', color: '#fff' }}
      />
    );
  }
  if (props.reachable === false) {
    const chip = (
      <Chip
        size="small"
        color="secondary"
        label={t('reachability.unreachable')}
      />
    );
    return props.error ? (
      <Tooltip title={props.error}>
        <span>{chip}</span>
      </Tooltip>
    ) : (
      chip
    );
  }
  return <Chip size="small" label={t('reachability.unknown')} />;
}
