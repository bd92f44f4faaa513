import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { InfoCard, LinkButton } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { bastionTranslationRef } from '../translation/translation';

/** A button from a host's catalog page to its terminal. */
export function OpenTerminalCard() {
  const { t } = useTranslationRef(bastionTranslationRef);
  const { entity } = useEntity();
  return (
    <InfoCard title={t('page.title')}>
      <LinkButton
        to={`/bastion/hosts/${encodeURIComponent(entity.metadata.name)}`}
        variant="contained"
        color="primary"
      >
        {t('terminal.openTerminal')}
      </LinkButton>
    </InfoCard>
  );
}
