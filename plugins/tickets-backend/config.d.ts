export interface Config {
  opsdeck?: {
    tickets?: {
      /**
       * How often a waiting approval or confirmation step
       * (`opsdeck:approval:request`, `opsdeck:ticket:confirm`) reads its
       * ticket, in seconds. Default 5.
       */
      pollSeconds?: number;
      /**
       * Who approves a prod change through a ticket
       * (`@opsdeck/plugin-tickets-node`), per kind: group or user refs, or
       * `owner:<entity ref>`. Defaults: `config-release`:
       * [group:default/admins]; `kubernetes-action`: [group:default/ops,
       * group:default/admins]. The requester never approves their own change.
       */
      changeApprovers?: {
        'config-release'?: string[];
        'kubernetes-action'?: string[];
      };
      /**
       * Hours a change approval may wait for a decision, and then for its
       * use, before it lapses. Default 24.
       */
      changeApprovalHours?: number;
    };
  };
}
