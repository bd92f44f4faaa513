/**
 * Test kit: real OpenSSH servers on loopback for tests of every package that reaches hosts
 * (`@opsdeck/plugin-remote-node/testUtils`).
 */
export * from './sshdHosts';
export * from './passwordSshd';
