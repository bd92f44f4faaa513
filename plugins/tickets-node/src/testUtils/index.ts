/**
 * Test kit: change approvals in memory, decided by the real claim rules, for
 * the tests of plugins that gate changes on them
 * (`@opsdeck/plugin-tickets-node/testUtils`).
 */
export * from './changeApprovalsMock';
