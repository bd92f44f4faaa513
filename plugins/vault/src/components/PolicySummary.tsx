import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { Box, Chip, Typography } from '@material-ui/core';
import type { Credential } from '../api';
import { vaultTranslationRef } from '../translation/translation';

/** True when the vault refuses every use of the credential (no owner or no use). */
export function servesNothing(credential: Credential): boolean {
  return !credential.owner || credential.allowedUses.length === 0;
}

/** A credential's policy in its table row: uses, systems, environments. */
export function PolicySummary(props: { credential: Credential }) {
  const { t } = useTranslationRef(vaultTranslationRef);
  const { credential } = props;
  if (servesNothing(credential)) {
    return (
      <Typography variant="body2" color="error" data-testid="policy-unset">
        {t('policy.servesNothing')}
      </Typography>
    );
  }
  const scope = [
    credential.allowedSystems.length > 0
      ? t('policy.systems', { list: credential.allowedSystems.join(', ') })
      : t('policy.anySystem'),
    credential.allowedEnvironments.length > 0
      ? t('policy.environments', {
          list: credential.allowedEnvironments.join(', '),
        })
      : t('policy.anyEnvironment'),
  ];
  return (
    <Box data-testid="policy">
      <Box display="flex" flexWrap="wrap" style={{ gap: 4 }}>
        {credential.allowedUses.map(use => (
          <Chip key={use} size="small" label={t(`use.${use}`)} />
        ))}
      </Box>
      <Typography variant="caption" color="textSecondary">
        {scope.join(' · ')}
      </Typography>
    </Box>
  );
}
