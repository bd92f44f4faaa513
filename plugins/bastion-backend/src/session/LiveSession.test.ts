/*
 * The order the browser sees: a refusal's notice comes after the output the host still owed
 * when the line was refused (CI saw a full-screen switch typed just before hide it).
 */
import { EventEmitter } from 'node:events';
import {
  loadShellSyntax,
  type ShellChannel,
  type SshTarget,
} from '@opsdeck/plugin-remote-node';
import type { CommandRule } from '../database/BastionStore';
import type { SessionRecord } from '../database/BastionStore';
import { compileRules } from '../commands/rules';
import type { AsciicastRecorder } from '../recording/AsciicastRecorder';
import type { BastionHost } from './hosts';
import { LiveSession, type SessionOwner } from './LiveSession';
import type { ServerMessage } from './protocol';

const host: BastionHost = {
  name: 'app-01',
  entityRef: 'resource:default/app-01',
  address: '127.0.0.1',
  port: 22,
  environment: 'staging',
  tags: [],
};

const rule: CommandRule = {
  id: 'r1',
  name: 'no markers',
  kind: 'command',
  pattern: '^touch\\s.*marker',
  action: 'reject',
  priority: 1,
  scope: {},
  createdBy: 'user:default/alice',
  createdAt: new Date(0).toISOString(),
};

class FakeChannel extends EventEmitter {
  written = '';
  write(data: string) {
    this.written += data;
    return true;
  }
  setWindow() {}
  close() {}
}

function open() {
  const channel = new FakeChannel();
  const sent: ServerMessage[] = [];
  const recorded: string[] = [];
  const recorder = {
    output: (t: string) => recorded.push(t),
    resize: () => {},
    flush: () => {},
    close: () => {},
    bytes: 0,
  } as unknown as AsciicastRecorder;
  const owner: SessionOwner = {
    now: () => Date.now(),
    recordCommand: () => {},
    requestReview: async () => ({ approved: false, reason: 'no' }),
    onEnded: () => {},
  };
  const session = new LiveSession(
    { id: 's1' } as SessionRecord,
    host,
    {} as SshTarget,
    channel as unknown as ShellChannel,
    recorder,
    compileRules([rule], host),
    { send: m => sent.push(m), close: () => {} },
    owner,
  );
  const shown = () =>
    sent.map(m => (m.type === 'output' ? m.data : '')).join('');
  return { channel, session, shown, recorded };
}

beforeAll(async () => {
  await loadShellSyntax();
});

describe('LiveSession', () => {
  it('shows a refusal after the output the host owed for the keys typed before it', () => {
    const { channel, session, shown, recorded } = open();
    session.input('touch /tmp/marker\r');
    expect(channel.written).toBe('touch /tmp/marker\x03');
    // the host's output for the line before is still on its way
    channel.emit('data', Buffer.from('\x1b[?1049h$ touch /tmp/marker'));
    channel.emit('data', Buffer.from('^C\r\n$ '));
    const text = shown();
    const notice = text.indexOf(
      '[opsdeck] Command refused by rule "no markers"',
    );
    expect(notice).toBeGreaterThan(text.indexOf('\x1b[?1049h'));
    expect(notice).toBeGreaterThan(text.indexOf('^C'));
    expect(text.endsWith('$ ')).toBe(true);
    // the recording has it in the same place
    expect(recorded.join('')).toBe(text);
    session.end('test');
  });

  it('still shows a held notice when the session ends first', () => {
    const { session, shown } = open();
    session.input('touch /tmp/marker\r');
    session.end('the shell on the host ended');
    expect(shown()).toContain('[opsdeck] Command refused by rule "no markers"');
  });
});
