export interface Config {
  opsdeck?: {
    tickets?: {
      /**
       * How often a waiting approval or confirmation step
       * (`opsdeck:approval:request`, `opsdeck:ticket:confirm`) reads its
       * ticket, in seconds. Default 5.
       */
      pollSeconds?: number;
    };
  };
}
