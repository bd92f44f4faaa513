import { Content, Header, Page } from '@backstage/core-components';
import { Route, Routes } from 'react-router-dom';
import { FeedLinkButton } from './FeedLinkButton';
import { FigureRecordsPage } from './FigureRecordsPage';
import { ReportDetailPage } from './ReportDetailPage';
import { ReportList } from './ReportList';
import { useT } from './useReport';

/** The weekly report pages: history at /report, a report at /report/:id. */
export function ReportPage() {
  const t = useT();
  return (
    <Page themeId="tool">
      <Header title={t('page.title')} subtitle={t('page.subtitle')}>
        <FeedLinkButton />
      </Header>
      <Content>
        <Routes>
          <Route path="/" element={<ReportList />} />
          <Route path="/:id" element={<ReportDetailPage />} />
          <Route path="/:id/figures/:figure" element={<FigureRecordsPage />} />
        </Routes>
      </Content>
    </Page>
  );
}
