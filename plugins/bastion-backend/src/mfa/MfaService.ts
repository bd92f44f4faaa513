import { CustomErrorBase, NotAllowedError } from '@backstage/errors';
import type QRCode from 'qrcode';
import type { BastionConfig } from '../config';
import type { BastionHost } from '../session/hosts';
import type { MfaStore } from './MfaStore';
import { newTotpSecret, otpauthUri, verifyTotp } from './otp';
import { open, seal } from './secretBox';

/** Too many wrong codes: the router answers 429. */
export class TooManyAttemptsError extends CustomErrorBase {
  name = 'TooManyAttemptsError' as const;
}

export type MfaStatus = {
  enrolled: boolean;
  /** ISO time until which the step-up is valid, when it is. */
  verifiedUntil?: string;
  requiredEnvironments: string[];
  windowMinutes: number;
  available: boolean;
};

/** Re-checks the user's sign-in password (local-auth, through @opsdeck/plugin-local-auth-node). */
export type PasswordCheck = (
  userRef: string,
  password: string,
  request: { address?: string; userAgent?: string },
) => Promise<boolean>;

/** What the caller proves before a TOTP secret is (re)bound to their account. */
export type Proof = {
  password: string;
  request: { address?: string; userAgent?: string };
};

/** TOTP enrolment and step-up for the bastion. */
export class MfaService {
  constructor(
    private readonly store: MfaStore,
    private readonly config: BastionConfig['mfa'],
    private readonly checkPassword: PasswordCheck,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when sessions to this host need a step-up. */
  requiredFor(host: BastionHost): boolean {
    return (
      !!host.environment &&
      this.config.requiredEnvironments.includes(host.environment)
    );
  }

  private key(): Buffer {
    if (!this.config.key) {
      throw new NotAllowedError(
        'MFA is not configured on this backend (opsdeck.bastion.mfa.key)',
      );
    }
    return this.config.key;
  }

  async status(userRef: string): Promise<MfaStatus> {
    const r = await this.store.get(userRef);
    const until = r?.verifiedUntil;
    return {
      enrolled: !!r?.confirmed,
      verifiedUntil:
        until && until > this.now() ? new Date(until).toISOString() : undefined,
      requiredEnvironments: this.config.requiredEnvironments,
      windowMinutes: this.config.windowMinutes,
      available: !!this.config.key,
    };
  }

  /** True when the user has a valid step-up now. */
  async steppedUp(userRef: string): Promise<boolean> {
    const r = await this.store.get(userRef);
    return !!r?.confirmed && (r.verifiedUntil ?? 0) > this.now();
  }

  /** Refuses unless `proof` holds the user's password (counted like a sign-in by local-auth). */
  private async requirePassword(userRef: string, proof: Proof) {
    if (!(await this.checkPassword(userRef, proof.password, proof.request))) {
      throw new NotAllowedError(
        'Your password is not correct (or too many failed attempts)',
      );
    }
  }

  /**
   * Starts enrolment: a new secret, shown once (text and QR code), after the user's password.
   * Refused when the user has a confirmed enrolment already (they reset it with their password
   * and a current code, or an admin resets it).
   */
  async enrol(userRef: string, proof: Proof) {
    const key = this.key();
    await this.requirePassword(userRef, proof);
    const existing = await this.store.get(userRef);
    if (existing?.confirmed) {
      throw new NotAllowedError('TOTP is already set up for this user');
    }
    return this.newSecret(userRef, key);
  }

  /**
   * Re-enrolment by the user: their password and a current code of the old secret (rate-limited
   * like a step-up); then a new, unconfirmed secret replaces it and any step-up ends.
   */
  async reset(userRef: string, code: string, proof: Proof) {
    const key = this.key();
    await this.requirePassword(userRef, proof);
    const r = await this.store.get(userRef);
    if (!r?.confirmed) throw new NotAllowedError('TOTP is not set up yet');
    await this.useCode(key, userRef, code);
    return this.newSecret(userRef, key);
  }

  /** Reset by an admin: the enrolment is gone; the user enrols again before the next step-up. */
  async adminReset(userRef: string): Promise<boolean> {
    return this.store.delete(userRef);
  }

  private async newSecret(userRef: string, key: Buffer) {
    const secret = newTotpSecret();
    await this.store.putSecret(userRef, seal(key, secret, userRef));
    const account = userRef.replace(/^user:(default\/)?/, '');
    const uri = otpauthUri(secret, account);
    return {
      secret,
      otpauthUri: uri,
      // required at first use: start-up does not pay for it (#15)
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      qrCode: await (require('qrcode') as typeof QRCode).toDataURL(uri, {
        margin: 1,
        width: 220,
      }),
    };
  }

  /**
   * Checks a code; a right code confirms the enrolment and opens the step-up window. Wrong codes
   * count; after `maxFailures` within `lockMinutes` every try is refused until the window ends.
   */
  async verify(
    userRef: string,
    code: string,
  ): Promise<{ verifiedUntil: string }> {
    const key = this.key();
    const verifiedUntil = await this.useCode(key, userRef, code);
    return { verifiedUntil: new Date(verifiedUntil).toISOString() };
  }

  /**
   * Uses a code: claims an attempt (one atomic statement: none when the limit is reached), checks
   * the code, and accepts its time step once (one atomic statement). A wrong code keeps its
   * claim; a right code used already gives its claim back (it is no guess), so parallel
   * duplicates of a right code do not lock the user out. Resolves to the end of the step-up.
   */
  private async useCode(
    key: Buffer,
    userRef: string,
    code: string,
  ): Promise<number> {
    const r = await this.store.get(userRef);
    if (!r) throw new NotAllowedError('Set up TOTP first');
    const now = this.now();
    const lockMs = this.config.lockMinutes * 60_000;
    const claimed = await this.store.claimAttempt(
      userRef,
      this.config.maxFailures,
      lockMs,
      now,
    );
    if (claimed === undefined) {
      const since = (await this.store.get(userRef))?.failuresSince ?? now;
      const retry = Math.max(1, Math.ceil((since + lockMs - now) / 1000));
      throw new TooManyAttemptsError(
        `Too many wrong codes; try again in ${retry} seconds`,
      );
    }
    const step = verifyTotp(open(key, r.secretEnc, userRef), code.trim(), now);
    if (step === undefined) {
      throw new NotAllowedError('Wrong or already used code');
    }
    const verifiedUntil = now + this.config.windowMinutes * 60_000;
    const accepted = await this.store.acceptCode({
      userRef,
      secretEnc: r.secretEnc,
      step,
      verifiedUntil,
    });
    if (!accepted) {
      await this.store.releaseAttempt(userRef);
      throw new NotAllowedError('Wrong or already used code');
    }
    return verifiedUntil;
  }
}
