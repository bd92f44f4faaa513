import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { RunningDigestsService, RunningImage } from './model';

/**
 * Reports running digests to the registry plugin
 * (`POST /api/registry/running/report`) with the calling plugin's own
 * service token: the registry binds the source to that plugin
 * (`cluster:` only from `kubernetes`, `host:` only from `cmdb`).
 */
export class RunningDigestsClient implements RunningDigestsService {
  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      fetch?: typeof fetch;
    },
  ) {}

  async report(source: string, images: RunningImage[]): Promise<void> {
    const base = await this.options.discovery.getBaseUrl('registry');
    const { token } = await this.options.auth.getPluginRequestToken({
      onBehalfOf: await this.options.auth.getOwnServiceCredentials(),
      targetPluginId: 'registry',
    });
    const response = await (this.options.fetch ?? fetch)(
      `${base}/running/report`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({ source, images }),
      },
    );
    if (!response.ok) throw await ResponseError.fromResponse(response);
  }
}
