import type {
  DiscoveryApi,
  FetchApi,
  IdentityApi,
} from '@backstage/frontend-plugin-api';
import {
  DefaultApiClient,
  type Command,
  type Exec,
  type Grant,
  type Operations,
  type Review,
  type Rule as WireRule,
  type Selector,
} from '../schema/openapi.client.generated';

export type {
  Asset,
  Grant,
  MfaStatus,
  Review,
  Selector,
  Session,
} from '../schema/openapi.client.generated';

/** One line of a session's command log (`GET /commands`). */
export type CommandRecord = Command;

/** A program the host's kernel saw started in a session (exec audit). */
export type ExecRecord = Exec;

/** A command rule; the spec leaves its scope open, the backend answers a selector. */
export type Rule = Omit<WireRule, 'scope' | 'createdBy' | 'createdAt'> & {
  scope: Selector & { environment?: string };
  createdBy?: string;
};

export type HostAccess = {
  host: string;
  environment?: string;
  mfaRequired: boolean;
  mfaVerified: boolean;
  grants: Grant[];
};

/**
 * Talks to the bastion backend (`/api/bastion`) through the generated client
 * (schema/openapi.client.generated.ts); it builds no HTTP request itself.
 * Only the terminal and watch WebSockets ({@link BastionClient.socket}),
 * which the spec does not describe, are opened here.
 */
export class BastionClient {
  private readonly api: DefaultApiClient;

  constructor(
    private readonly discoveryApi: DiscoveryApi,
    fetchApi: FetchApi,
    private readonly identityApi: IdentityApi,
  ) {
    this.api = new DefaultApiClient({ discoveryApi, fetchApi });
  }

  listSessions(params: { host?: string; user?: string } = {}) {
    return this.api.listSessions({ query: params });
  }
  listLive() {
    return this.api.listLiveSessions();
  }
  getSession(id: string) {
    return this.api.getSession({ path: { id } });
  }
  async terminate(id: string): Promise<void> {
    await this.api.terminateSession({ path: { id } });
  }
  async recording(id: string): Promise<string> {
    return (await this.api.getRecording({ path: { id } })).text();
  }
  searchCommands(params: {
    q?: string;
    user?: string;
    host?: string;
    sessionId?: string;
  }) {
    return this.api.searchCommands({ query: params });
  }
  /** The caller's own grants in force (to the user or the user's groups). */
  myGrants() {
    return this.api.listMyGrants();
  }
  /** The hosts the caller's own grants in force reach now, with a facts summary. */
  myAssets() {
    return this.api.listMyAssets();
  }
  listGrants() {
    return this.api.listGrants();
  }
  createGrant(body: {
    subject: string;
    selector: Selector;
    loginUser: string;
    expiresAt: string;
    reason?: string;
  }) {
    return this.api.createGrant({ body });
  }
  revokeGrant(id: string) {
    return this.api.revokeGrant({ path: { id } });
  }
  async listRules(): Promise<{ items: Rule[] }> {
    return (await this.api.listRules()) as { items: Rule[] };
  }
  /** `kind` and `action` as the form holds them; the backend refuses others (400). */
  async createRule(body: {
    name: string;
    pattern: string;
    kind?: string;
    action: string;
    priority?: number;
    scope?: Selector & { environment?: string };
  }): Promise<Rule> {
    return (await this.api.createRule({
      body: body as Operations['createRule']['request']['body'],
    })) as Rule;
  }
  sessionExecs(id: string) {
    return this.api.listSessionExecs({ path: { id } });
  }
  listReviews(status?: Review['status']) {
    return this.api.listReviews({ query: { status } });
  }
  decideReview(id: string, decision: 'approve' | 'deny') {
    return this.api.decideReview({ path: { id, decision } });
  }
  deleteRule(id: string) {
    return this.api.deleteRule({ path: { id } });
  }
  async hostAccess(host: string): Promise<HostAccess> {
    return (await this.api.getHostAccess({
      path: { name: host },
    })) as HostAccess;
  }
  mfaStatus() {
    return this.api.getMfaStatus();
  }
  /** Starts TOTP enrolment; needs the caller's sign-in password. */
  enrolMfa(password: string) {
    return this.api.enrolMfa({ body: { password } });
  }
  /** Replaces the caller's TOTP secret; needs their password and a current code of the old one. */
  resetMfa(code: string, password: string) {
    return this.api.resetMfa({ body: { code, password } });
  }
  /** Forgets another user's TOTP enrolment (admin). */
  adminResetMfa(userRef: string) {
    return this.api.adminResetMfa({ body: { userRef } });
  }
  async verifyMfa(code: string): Promise<{ verifiedUntil: string }> {
    return (await this.api.verifyMfa({ body: { code } })) as {
      verifiedUntil: string;
    };
  }

  /** Uploads a file to `path` on the host of one of the caller's live sessions (SFTP). */
  async upload(
    sessionId: string,
    path: string,
    file: Blob,
  ): Promise<{ bytes: number }> {
    return (await this.api.uploadFile({
      path: { id: sessionId },
      query: { path },
      body: file,
    })) as { bytes: number };
  }

  /** Downloads `path` from the host of one of the caller's live sessions (SFTP). */
  async download(sessionId: string, path: string): Promise<Blob> {
    return (
      await this.api.downloadFile({ path: { id: sessionId }, query: { path } })
    ).blob();
  }

  /** A WebSocket to the backend; the Backstage token travels as the WebSocket protocol. */
  async socket(
    path: string,
    params: Record<string, string>,
  ): Promise<WebSocket> {
    const base = await this.discoveryApi.getBaseUrl('bastion');
    const { token } = await this.identityApi.getCredentials();
    const query = new URLSearchParams(
      Object.entries(params).filter(([, v]) => v),
    ).toString();
    const url = `${base.replace(/^http/, 'ws')}${path}${
      query ? `?${query}` : ''
    }`;
    return new WebSocket(url, token ? [token] : []);
  }
}
