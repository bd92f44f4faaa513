/** The outcome of checking one use against a credential's policy. */
export type UseDecision =
  | { allowed: true }
  | {
      allowed: false;
      /** Why, in words an operator can act on; never contains secret material. */
      reason: string;
    };
