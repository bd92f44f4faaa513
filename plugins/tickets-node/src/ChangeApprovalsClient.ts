import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, ResponseError } from '@backstage/errors';
import { claimError } from './errors';
import {
  changeDigest,
  type ApprovalStatus,
  type ChangeApprovalTicket,
  type ChangeKind,
  type ClaimedApproval,
  type ClaimRefusal,
} from './model';

/** Asks for an approval of one change. */
export type RequestApprovalInput = {
  kind: ChangeKind;
  /** What the change acts on (an entity ref, e.g. `config-set:default/web`). */
  target: string;
  /** One line the approvers read, e.g. "push web-nginx v4 to 3 prod hosts". */
  summary: string;
  /** The change itself, as it will run; its digest is what gets approved. */
  change: unknown;
  /** The person asking (a user): they become the requester. */
  credentials: BackstageCredentials;
};

/** Claims an approval, once, for the change about to run. */
export type ClaimApprovalInput = {
  ticketId: number;
  kind: ChangeKind;
  target: string;
  /** The change about to run: it must be the approved one, to the byte. */
  change: unknown;
  /** The person running it: it must be the requester. */
  credentials: BackstageCredentials;
};

/** Asks where an approval stands, for its requester. */
export type ApprovalStatusInput = {
  ticketId: number;
  /** The person waiting to run the change: it must be the requester. */
  credentials: BackstageCredentials;
};

/**
 * Change approvals for backend plugins: a prod change that its author may
 * not make alone is approved through a ticket (another person approves) and
 * then claimed once by that author for exactly that change.
 *
 * @public
 */
export interface ChangeApprovalsService {
  requestApproval(input: RequestApprovalInput): Promise<ChangeApprovalTicket>;
  /**
   * Claims the approval in one atomic statement on the tickets' database;
   * throws {@link ApprovalNotApprovedError}, {@link ApprovalMismatchError},
   * {@link ApprovalAlreadyUsedError} or {@link ApprovalExpiredError}.
   */
  claimApproval(input: ClaimApprovalInput): Promise<ClaimedApproval>;
  /**
   * Where the approval stands, for its requester waiting to run the change
   * (e.g. a template step that waits for the decision). Reads only: it
   * claims nothing. Throws NotFoundError when there is no such change
   * approval requested by that person (the same answer either way).
   */
  approvalStatus(input: ApprovalStatusInput): Promise<ApprovalStatus>;
}

function userRefOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
  };
  if (principal?.type !== 'user' || !principal.userEntityRef) {
    throw new NotAllowedError('A change approval is asked for by a person');
  }
  return principal.userEntityRef;
}

/**
 * The tickets plugin's change routes (`/api/tickets/workflow/changes`),
 * called with the calling plugin's own service token: they accept backend
 * services only, so a person cannot claim (or open) an approval directly.
 */
export class ChangeApprovalsClient implements ChangeApprovalsService {
  constructor(
    private readonly deps: { discovery: DiscoveryService; auth: AuthService },
  ) {}

  async requestApproval(
    input: RequestApprovalInput,
  ): Promise<ChangeApprovalTicket> {
    return this.request<ChangeApprovalTicket>('/workflow/changes', {
      kind: input.kind,
      target: input.target,
      summary: input.summary,
      change: input.change,
      requester: userRefOf(input.credentials),
    });
  }

  async claimApproval(input: ClaimApprovalInput): Promise<ClaimedApproval> {
    const digest = changeDigest(input.change);
    const answer = await this.request<
      | ({ ok: true } & ClaimedApproval)
      | { ok: false; reason: ClaimRefusal; message: string }
    >(`/workflow/changes/${encodeURIComponent(input.ticketId)}/claim`, {
      kind: input.kind,
      target: input.target,
      digest,
      claimer: userRefOf(input.credentials),
    });
    if (!answer.ok) throw claimError(answer.reason, answer.message);
    return {
      ticketId: answer.ticketId,
      requester: answer.requester,
      approvedBy: answer.approvedBy,
      digest: answer.digest,
    };
  }

  async approvalStatus(input: ApprovalStatusInput): Promise<ApprovalStatus> {
    const answer = await this.request<{ status: ApprovalStatus }>(
      `/workflow/changes/${encodeURIComponent(input.ticketId)}/status`,
      { requester: userRefOf(input.credentials) },
    );
    return answer.status;
  }

  private async request<T>(path: string, body: unknown): Promise<T> {
    const { discovery, auth } = this.deps;
    const [baseUrl, { token }] = await Promise.all([
      discovery.getBaseUrl('tickets'),
      auth.getPluginRequestToken({
        onBehalfOf: await auth.getOwnServiceCredentials(),
        targetPluginId: 'tickets',
      }),
    ]);
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${token}`,
      },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }
}
