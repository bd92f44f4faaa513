import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  HighlightLanguage,
  ReportDetail,
  ReportFigureKey,
  ReportRecordPage,
  ReportSummary,
} from '@opsdeck/plugin-report-common';

/** The report backend's API (/api/report). */
export class ReportClient {
  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {}

  list(query: { scope?: string; limit?: number; offset?: number }) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== '') params.set(k, String(v));
    }
    const qs = params.toString();
    return this.call<{ items: ReportSummary[]; total: number }>(
      `/reports${qs ? `?${qs}` : ''}`,
    );
  }

  get(id: number) {
    return this.call<ReportDetail>(`/reports/${id}`);
  }

  records(id: number, figure: ReportFigureKey, offset = 0, limit = 100) {
    return this.call<ReportRecordPage>(
      `/reports/${id}/figures/${encodeURIComponent(
        figure,
      )}/records?offset=${offset}&limit=${limit}`,
    );
  }

  setHighlights(id: number, text: string, lang: HighlightLanguage) {
    return this.call<ReportDetail>(`/reports/${id}/highlights`, {
      method: 'PUT',
      body: JSON.stringify({ text, lang }),
    });
  }

  send(id: number) {
    return this.call<ReportDetail>(`/reports/${id}/send`, { method: 'POST' });
  }

  feedToken() {
    return this.call<{ exists: boolean }>('/feed-token');
  }

  createFeedToken() {
    return this.call<{ url: string }>('/feed-token', { method: 'POST' });
  }

  async deleteFeedToken() {
    await this.call<void>('/feed-token', { method: 'DELETE' });
  }

  private async call<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('report');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      ...init,
      headers: init?.body ? { 'Content-Type': 'application/json' } : undefined,
    });
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return response.status === 204
      ? (undefined as T)
      : ((await response.json()) as T);
  }
}
