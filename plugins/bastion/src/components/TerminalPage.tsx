import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { Content, Header, Page } from '@backstage/core-components';
import { useParams } from 'react-router-dom';
import { bastionTranslationRef } from '../translation/translation';
import { HostTerminal } from './HostTerminal';

/** The terminal page of one host: access check, MFA step-up, then the terminal. */
export function TerminalPage() {
  const { t } = useTranslationRef(bastionTranslationRef);
  const { name = '' } = useParams();
  return (
    <Page themeId="tool">
      <Header
        title={t('terminal.title', { host: name })}
        subtitle={t('page.subtitle')}
      />
      <Content>
        <HostTerminal key={name} host={name} />
      </Content>
    </Page>
  );
}
