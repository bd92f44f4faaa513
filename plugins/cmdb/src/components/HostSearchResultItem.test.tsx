import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { SearchResultListItemBlueprint } from '@backstage/plugin-search-react/alpha';
import { screen } from '@testing-library/react';
import { hostSearchResultItem } from '../plugin';
import { HostSearchResultItem } from './HostSearchResultItem';

describe('HostSearchResultItem', () => {
  it('shows the host with its facts and links to its catalog page', async () => {
    await renderInTestApp(
      <HostSearchResultItem
        result={
          {
            title: 'pay-app-01',
            text: 'irrelevant',
            location: '/catalog/default/resource/pay-app-01',
            address: '127.0.0.1',
            environment: 'prod',
            os: 'Debian GNU/Linux 12 (bookworm)',
            kernel: '6.1.0-18-amd64',
            ips: ['127.0.0.1', '::1'],
            reachability: 'unreachable',
          } as any
        }
      />,
    );
    const link = await screen.findByRole('link', { name: 'pay-app-01' });
    expect(link).toHaveAttribute(
      'href',
      '/catalog/default/resource/pay-app-01',
    );
    expect(
      screen.getByText(
        'Host · 127.0.0.1 · prod · Debian GNU/Linux 12 (bookworm) · 6.1.0-18-amd64 · 127.0.0.1, ::1',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('Unreachable')).toBeInTheDocument();
  });

  it('renders only opsdeck-host results', () => {
    const item = createExtensionTester(hostSearchResultItem).get(
      SearchResultListItemBlueprint.dataRefs.item,
    );
    const result = (type: string) => ({
      type,
      document: { title: 'x', text: '', location: '/' },
    });
    expect(item.predicate?.(result('opsdeck-host'))).toBe(true);
    expect(item.predicate?.(result('software-catalog'))).toBe(false);
  });
});
