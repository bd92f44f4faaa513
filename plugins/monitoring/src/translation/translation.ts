import { createTranslationRef } from '@backstage/frontend-plugin-api';

/** UI text of the monitoring plugin; apps may override any message. */
export const monitoringTranslationRef = createTranslationRef({
  id: 'opsdeck-monitoring',
  messages: {
    tab: {
      title: 'Monitoring',
    },
    range: {
      label: 'Time range',
      '1h': 'Last hour',
      '6h': 'Last 6 hours',
      '24h': 'Last 24 hours',
      '7d': 'Last 7 days',
    },
    panels: {
      cpu: 'CPU used',
      memory: 'Memory used',
      disk: 'Disk used',
      network: 'Network',
      load: 'Load average',
      up: 'Scraped (up)',
    },
    series: {
      receive: 'received',
      transmit: 'sent',
    },
    state: {
      loading: 'Querying Prometheus…',
      noData: 'No data in this range (is the exporter scraped?)',
      failed: 'Could not load the charts: {{error}}',
      latest: 'latest {{value}}',
      refresh: 'Refresh',
    },
  },
  translations: {
    'zh-CN': () => import('./zhCN'),
  },
});
