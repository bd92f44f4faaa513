import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { CredentialUse } from '@opsdeck/plugin-vault-node';

/**
 * Stores a password credential in the vault through its API, as the
 * scaffolder's service identity: the approval is what authorizes it. The
 * secret goes only into the request body, never into a log or an error.
 */
export class VaultWriter {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
  ) {}

  /**
   * Creates the credential with its policy (whom and what it may serve), or
   * replaces its secret when it exists (an earlier attempt of the same
   * fulfilment created it with the same policy).
   */
  async putPassword(credential: {
    name: string;
    username: string;
    password: string;
    description: string;
    policy: {
      owner: string;
      allowedUses: CredentialUse[];
      allowedSystems: string[];
      allowedEnvironments: string[];
    };
  }): Promise<void> {
    const created = await this.call('/credentials', 'POST', {
      name: credential.name,
      type: 'password',
      username: credential.username,
      description: credential.description,
      ...credential.policy,
      secret: credential.password,
    });
    if (created.status === 201) return;
    if (created.status === 409) {
      const replaced = await this.call(
        `/credentials/${encodeURIComponent(credential.name)}/secret`,
        'PUT',
        { secret: credential.password },
      );
      if (replaced.ok) return;
      throw await ResponseError.fromResponse(replaced);
    }
    throw await ResponseError.fromResponse(created);
  }

  private async call(path: string, method: string, body: unknown) {
    const [baseUrl, { token }] = await Promise.all([
      this.discovery.getBaseUrl('vault'),
      this.auth.getPluginRequestToken({
        onBehalfOf: await this.auth.getOwnServiceCredentials(),
        targetPluginId: 'vault',
      }),
    ]);
    return fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${token}`,
      },
      body: JSON.stringify(body),
    });
  }
}
