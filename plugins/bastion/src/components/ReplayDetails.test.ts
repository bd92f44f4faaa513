import type { CommandRecord, Session } from '../api/BastionClient';
import { commandOffset } from './ReplayDetails';

const session = {
  id: 's1',
  userRef: 'user:default/dave',
  host: 'web-02',
  loginUser: 'opsdeck',
  startedAt: '2026-12-01T10:00:00.000Z',
  bytesOut: 0,
  live: false,
} as Session;
const command = (at: string) =>
  ({
    id: 1,
    sessionId: 's1',
    at,
    command: 'ls',
    action: 'run',
  } as CommandRecord);

describe('commandOffset', () => {
  it("is the command's time from the session's start, in seconds, never negative", () => {
    expect(commandOffset(session, command('2026-12-01T10:00:12.500Z'))).toBe(
      12.5,
    );
    expect(commandOffset(session, command('2026-12-01T09:59:59.000Z'))).toBe(0);
    expect(commandOffset(session, command('not a time'))).toBe(0);
  });
});
