import { CustomErrorBase, NotAllowedError } from '@backstage/errors';
import QRCode from 'qrcode';
import type { BastionConfig } from '../config';
import type { BastionStore, MfaRecord } from '../database/BastionStore';
import type { BastionHost } from '../session/hosts';
import { open, seal } from './secretBox';
import { newTotpSecret, otpauthUri, verifyTotp } from './totp';

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

/** TOTP enrolment and step-up for the bastion. */
export class MfaService {
  constructor(
    private readonly store: BastionStore,
    private readonly config: BastionConfig['mfa'],
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
    const r = await this.store.getMfa(userRef);
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
    const r = await this.store.getMfa(userRef);
    return !!r?.confirmed && (r.verifiedUntil ?? 0) > this.now();
  }

  /**
   * Starts enrolment: a new secret, shown once (text and QR code). Refused when the user has a
   * confirmed enrolment already (they reset it with a current code, or an admin resets it).
   */
  async enrol(userRef: string) {
    const key = this.key();
    const existing = await this.store.getMfa(userRef);
    if (existing?.confirmed) {
      throw new NotAllowedError('TOTP is already set up for this user');
    }
    return this.newSecret(userRef, key);
  }

  /**
   * Re-enrolment by the user: a current code of the old secret (rate-limited like a step-up)
   * proves possession; then a new, unconfirmed secret replaces it and any step-up ends.
   */
  async reset(userRef: string, code: string) {
    const key = this.key();
    const r = await this.store.getMfa(userRef);
    if (!r?.confirmed) throw new NotAllowedError('TOTP is not set up yet');
    await this.checkCode(key, r, code);
    await this.store.updateMfa(userRef, {
      failures: 0,
      failuresSince: undefined,
    });
    return this.newSecret(userRef, key);
  }

  /** Reset by an admin: the enrolment is gone; the user enrols again before the next step-up. */
  async adminReset(userRef: string): Promise<boolean> {
    return this.store.deleteMfa(userRef);
  }

  private async newSecret(userRef: string, key: Buffer) {
    const secret = newTotpSecret();
    await this.store.putMfaSecret(userRef, seal(key, secret, userRef));
    const account = userRef.replace(/^user:(default\/)?/, '');
    const uri = otpauthUri(secret, account);
    return {
      secret,
      otpauthUri: uri,
      qrCode: await QRCode.toDataURL(uri, { margin: 1, width: 220 }),
    };
  }

  /**
   * Checks a code; right codes confirm the enrolment and open the step-up window. Wrong codes
   * count; after `maxFailures` within `lockMinutes` every try is refused until the window ends.
   */
  async verify(
    userRef: string,
    code: string,
  ): Promise<{ verifiedUntil: string }> {
    const key = this.key();
    const r = await this.store.getMfa(userRef);
    if (!r) throw new NotAllowedError('Set up TOTP first');
    const step = await this.checkCode(key, r, code);
    const verifiedUntil = this.now() + this.config.windowMinutes * 60_000;
    await this.store.updateMfa(userRef, {
      confirmed: true,
      lastStep: step,
      verifiedUntil,
      failures: 0,
      failuresSince: undefined,
    });
    return { verifiedUntil: new Date(verifiedUntil).toISOString() };
  }

  /** The accepted time step of a right, unused code; counts and rate-limits wrong ones. */
  private async checkCode(
    key: Buffer,
    r: MfaRecord,
    code: string,
  ): Promise<number> {
    const userRef = r.userRef;
    const now = this.now();
    const lockMs = this.config.lockMinutes * 60_000;
    const inWindow =
      r.failuresSince !== undefined && now - r.failuresSince < lockMs;
    const failures = inWindow ? r.failures : 0;
    if (failures >= this.config.maxFailures) {
      const retry = Math.ceil((r.failuresSince! + lockMs - now) / 1000);
      throw new TooManyAttemptsError(
        `Too many wrong codes; try again in ${retry} seconds`,
      );
    }
    const step = verifyTotp(open(key, r.secretEnc, userRef), code.trim(), now);
    if (
      step === undefined ||
      (r.lastStep !== undefined && step <= r.lastStep)
    ) {
      await this.store.updateMfa(userRef, {
        failures: failures + 1,
        failuresSince: inWindow ? r.failuresSince : now,
      });
      throw new NotAllowedError('Wrong or already used code');
    }
    return step;
  }
}
