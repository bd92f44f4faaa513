import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { Content } from '@backstage/core-components';
import { Typography } from '@material-ui/core';
import { Route, Routes, useParams } from 'react-router-dom';
import { ticketsTranslationRef } from '../translation/translation';
import { TicketDetailView } from './TicketDetailView';
import { TicketList } from './TicketList';

function TicketRoute() {
  const { id } = useParams();
  return <TicketDetailView id={Number(id)} />;
}

/** /tickets (the lists) and /tickets/:id (one ticket); the page header comes from PageBlueprint. */
export function TicketsPage() {
  const { t } = useTranslationRef(ticketsTranslationRef);
  return (
    <Content>
      <Typography variant="body1" paragraph>
        {t('page.subtitle')}
      </Typography>
      <Routes>
        <Route path="/" element={<TicketList />} />
        <Route path="/:id" element={<TicketRoute />} />
      </Routes>
    </Content>
  );
}
