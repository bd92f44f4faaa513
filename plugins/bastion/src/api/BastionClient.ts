import type {
  DiscoveryApi,
  FetchApi,
  IdentityApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';

export type Selector = {
  host?: string;
  system?: string;
  owner?: string;
  tag?: string;
};

export type Grant = {
  id: string;
  subject: string;
  selector: Selector;
  loginUser: string;
  expiresAt: string;
  reason?: string;
  createdBy: string;
  createdAt: string;
};

/** A host the signed-in person can open a terminal on now (`GET /my-assets`). */
export type Asset = {
  name: string;
  entityRef: string;
  address: string;
  port: number;
  /** Full lower-case ref (`system:default/shop`). */
  system?: string;
  environment?: string;
  owner?: string;
  tags: string[];
  /** Logins the person's grants allow on the host. */
  loginUsers: string[];
  /** When the longest-lasting of those grants ends. */
  expiresAt: string;
  /** Opening a terminal asks for a TOTP step-up first. */
  mfaRequired: boolean;
  /** What the CMDB last collected from the host. */
  facts?: {
    reachable?: boolean;
    os?: string;
    cpuCount?: number;
    memTotalMiB?: number;
    collectedAt?: string;
    lastOkAt?: string;
  };
};

export type Session = {
  id: string;
  userRef: string;
  host: string;
  loginUser: string;
  startedAt: string;
  endedAt?: string;
  endReason?: string;
  bytesOut: number;
  live: boolean;
  /** The backend instance that holds the session (replicas share one database). */
  instanceId?: string;
  /** Live list: seconds since the last keyboard input. */
  idleSeconds?: number;
  /** Live list: people watching the session. */
  watchers?: number;
};

export type CommandRecord = {
  id: number;
  sessionId: string;
  at: string;
  command: string;
  action: 'run' | 'rejected' | 'alerted' | 'approved' | 'denied' | 'keystrokes';
  detail?: string;
  reviewedBy?: string;
  userRef?: string;
  host?: string;
};

export type Rule = {
  id: string;
  name: string;
  pattern: string;
  kind: 'command' | 'construct' | 'file';
  action: 'reject' | 'review' | 'alert' | 'allow';
  scope: Selector & { environment?: string };
  priority: number;
  createdBy?: string;
};

/** A program the host's kernel saw started in a session (exec audit). */
export type ExecRecord = {
  event: string;
  at: string;
  pid?: number;
  ppid?: number;
  uid?: number;
  exe?: string;
  argv: string[];
  cwd?: string;
};

/** A command held by a review rule. */
export type Review = {
  id: string;
  sessionId: string;
  command: string;
  detail?: string;
  ruleName?: string;
  requestedBy: string;
  host: string;
  requestedAt: string;
  expiresAt: string;
  status: 'pending' | 'approved' | 'denied' | 'timeout' | 'cancelled';
  decidedBy?: string;
};

export type MfaStatus = {
  enrolled: boolean;
  verifiedUntil?: string;
  requiredEnvironments: string[];
  windowMinutes: number;
  available: boolean;
  /** The caller may reset other users' enrolment. */
  canResetOthers?: boolean;
};

export type HostAccess = {
  host: string;
  environment?: string;
  mfaRequired: boolean;
  mfaVerified: boolean;
  grants: Grant[];
};

/** Talks to the bastion backend (`/api/bastion`). */
export class BastionClient {
  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
    private readonly identityApi: IdentityApi,
  ) {}

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    const base = await this.discoveryApi.getBaseUrl('bastion');
    const response = await this.fetchApi.fetch(`${base}${path}`, {
      ...init,
      headers: init?.body ? { 'Content-Type': 'application/json' } : undefined,
    });
    if (!response.ok) throw await ResponseError.fromResponse(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  private qs(params: Record<string, string | undefined>) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) p.set(k, v);
    const s = p.toString();
    return s ? `?${s}` : '';
  }

  listSessions(params: { host?: string; user?: string } = {}) {
    return this.request<{ items: Session[] }>(`/sessions${this.qs(params)}`);
  }
  listLive() {
    return this.request<{ items: Session[] }>('/sessions/live');
  }
  getSession(id: string) {
    return this.request<Session>(`/sessions/${encodeURIComponent(id)}`);
  }
  terminate(id: string) {
    return this.request<void>(`/sessions/${encodeURIComponent(id)}/terminate`, {
      method: 'POST',
    });
  }
  async recording(id: string): Promise<string> {
    const base = await this.discoveryApi.getBaseUrl('bastion');
    const r = await this.fetchApi.fetch(
      `${base}/sessions/${encodeURIComponent(id)}/recording`,
    );
    if (!r.ok) throw await ResponseError.fromResponse(r);
    return r.text();
  }
  searchCommands(params: {
    q?: string;
    user?: string;
    host?: string;
    sessionId?: string;
  }) {
    return this.request<{ items: CommandRecord[] }>(
      `/commands${this.qs(params)}`,
    );
  }
  /** The caller's own grants in force (to the user or the user's groups). */
  myGrants() {
    return this.request<{ items: Grant[] }>('/my-grants');
  }
  /** The hosts the caller's own grants in force reach now, with a facts summary. */
  myAssets() {
    return this.request<{ items: Asset[]; truncated: boolean }>('/my-assets');
  }
  listGrants() {
    return this.request<{ items: Grant[] }>('/grants');
  }
  createGrant(body: {
    subject: string;
    selector: Selector;
    loginUser: string;
    expiresAt: string;
    reason?: string;
  }) {
    return this.request<Grant>('/grants', {
      method: 'POST',
      body: JSON.stringify(body),
    });
  }
  revokeGrant(id: string) {
    return this.request<void>(`/grants/${encodeURIComponent(id)}`, {
      method: 'DELETE',
    });
  }
  listRules() {
    return this.request<{ items: Rule[] }>('/rules');
  }
  createRule(body: {
    name: string;
    pattern: string;
    kind?: string;
    action: string;
    priority?: number;
    scope?: Selector;
  }) {
    return this.request<Rule>('/rules', {
      method: 'POST',
      body: JSON.stringify(body),
    });
  }
  sessionExecs(id: string) {
    return this.request<{ execAudit?: string; items: ExecRecord[] }>(
      `/sessions/${encodeURIComponent(id)}/execs`,
    );
  }
  listReviews(status?: Review['status']) {
    return this.request<{ items: Review[] }>(`/reviews${this.qs({ status })}`);
  }
  decideReview(id: string, decision: 'approve' | 'deny') {
    return this.request<Review>(
      `/reviews/${encodeURIComponent(id)}/${decision}`,
      { method: 'POST' },
    );
  }
  deleteRule(id: string) {
    return this.request<void>(`/rules/${encodeURIComponent(id)}`, {
      method: 'DELETE',
    });
  }
  hostAccess(host: string) {
    return this.request<HostAccess>(
      `/hosts/${encodeURIComponent(host)}/access`,
    );
  }
  mfaStatus() {
    return this.request<MfaStatus>('/mfa');
  }
  /** Starts TOTP enrolment; needs the caller's sign-in password. */
  enrolMfa(password: string) {
    return this.request<{ secret: string; otpauthUri: string; qrCode: string }>(
      '/mfa/enrol',
      { method: 'POST', body: JSON.stringify({ password }) },
    );
  }
  /** Replaces the caller's TOTP secret; needs their password and a current code of the old one. */
  resetMfa(code: string, password: string) {
    return this.request<{ secret: string; otpauthUri: string; qrCode: string }>(
      '/mfa/reset',
      { method: 'POST', body: JSON.stringify({ code, password }) },
    );
  }
  /** Forgets another user's TOTP enrolment (admin). */
  adminResetMfa(userRef: string) {
    return this.request<void>('/mfa/admin-reset', {
      method: 'POST',
      body: JSON.stringify({ userRef }),
    });
  }
  verifyMfa(code: string) {
    return this.request<{ verifiedUntil: string }>('/mfa/verify', {
      method: 'POST',
      body: JSON.stringify({ code }),
    });
  }

  /** Uploads a file to `path` on the host of one of the caller's live sessions (SFTP). */
  async upload(
    sessionId: string,
    path: string,
    file: Blob,
  ): Promise<{ bytes: number }> {
    const base = await this.discoveryApi.getBaseUrl('bastion');
    const r = await this.fetchApi.fetch(
      `${base}/sessions/${encodeURIComponent(sessionId)}/files${this.qs({
        path,
      })}`,
      {
        method: 'PUT',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: file,
      },
    );
    if (!r.ok) throw await ResponseError.fromResponse(r);
    return r.json();
  }

  /** Downloads `path` from the host of one of the caller's live sessions (SFTP). */
  async download(sessionId: string, path: string): Promise<Blob> {
    const base = await this.discoveryApi.getBaseUrl('bastion');
    const r = await this.fetchApi.fetch(
      `${base}/sessions/${encodeURIComponent(sessionId)}/files${this.qs({
        path,
      })}`,
    );
    if (!r.ok) throw await ResponseError.fromResponse(r);
    return r.blob();
  }

  /** A WebSocket to the backend; the Backstage token travels as the WebSocket protocol. */
  async socket(
    path: string,
    params: Record<string, string>,
  ): Promise<WebSocket> {
    const base = await this.discoveryApi.getBaseUrl('bastion');
    const { token } = await this.identityApi.getCredentials();
    const url = `${base.replace(/^http/, 'ws')}${path}${this.qs(params)}`;
    return new WebSocket(url, token ? [token] : []);
  }
}
