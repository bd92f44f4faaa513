import { crashPoint } from '@opsdeck/plugin-opsdeck-node';
import type { ShellChannel, SshTarget } from '@opsdeck/plugin-remote-node';
import { StringDecoder } from 'node:string_decoder';
import {
  CommandGate,
  type GateRecord,
  type ReviewOutcome,
} from '../commands/CommandGate';
import type { CompiledRule, Verdict } from '../commands/rules';
import type { SessionActivity, SessionRecord } from '../database/BastionStore';
import type { AsciicastRecorder } from '../recording/AsciicastRecorder';
import { readRecordingOutput } from '../recording/readRecording';
import type { ExecAuditSession } from './execAudit';
import { HeldNotices } from './heldNotices';
import type { BastionHost } from './hosts';
import type { SessionClient } from './protocol';

/** What a live session needs from its manager. */
export interface SessionOwner {
  now(): number;
  recordCommand(session: LiveSession, entry: GateRecord): void;
  requestReview(
    session: LiveSession,
    command: string,
    verdict: Verdict,
    cancel: AbortSignal,
  ): Promise<ReviewOutcome>;
  onEnded(session: LiveSession, reason: string): void;
}

/** One open terminal: PTY channel, recording, the command gate. */
export class LiveSession {
  readonly watchers = new Set<SessionClient>();
  lastActivity: number;
  lastInput?: number;
  /** The activity last stored with a heartbeat (its key), to store only changes. */
  storedActivity?: string;
  bytesIn = 0;
  private ended = false;
  private readonly decoder = new StringDecoder('utf8');
  private readonly notices = new HeldNotices(text => this.say(text));
  readonly gate: CommandGate;

  constructor(
    readonly record: SessionRecord,
    readonly host: BastionHost,
    /** Where the shell runs (for file transfer in the same session); kept in memory only. */
    readonly target: SshTarget,
    private readonly channel: ShellChannel,
    private readonly recorder: AsciicastRecorder,
    readonly rules: CompiledRule[],
    private readonly client: SessionClient,
    private readonly owner: SessionOwner,
    /** Host-side exec audit of this session, where the host has it. */
    readonly execAudit?: ExecAuditSession,
  ) {
    this.lastActivity = owner.now();
    this.gate = new CommandGate(
      {
        write: data => this.channel.write(data),
        say: (text, afterInterrupt) =>
          afterInterrupt ? this.notices.hold(text) : this.say(text),
        record: entry => this.owner.recordCommand(this, entry),
        review: (command, verdict, cancel) =>
          this.owner.requestReview(this, command, verdict, cancel),
      },
      () => this.rules,
    );
    channel.on('data', (d: Buffer) => this.onOutput(this.decoder.write(d)));
    channel.stderr?.on('data', (d: Buffer) =>
      this.onOutput(this.decoder.write(d)),
    );
    channel.on('error', () => {});
    channel.once('close', () => {
      this.onOutput(this.decoder.end());
      this.end('The shell on the host ended');
    });
  }

  private onOutput(text: string) {
    if (!text) return;
    this.lastActivity = this.owner.now();
    this.gate.observeOutput(text);
    const shown = this.notices.weave(text);
    this.recorder.output(shown);
    this.broadcast(shown);
  }

  private broadcast(text: string) {
    this.client.send({ type: 'output', data: text });
    for (const w of this.watchers) w.send({ type: 'output', data: text });
  }

  /** Text shown to the user (and recorded) that the host never sees. */
  say(text: string) {
    this.recorder.output(text);
    this.broadcast(text);
  }

  input(data: string) {
    if (this.ended) return;
    this.lastActivity = this.owner.now();
    this.lastInput = this.lastActivity;
    this.bytesIn += Buffer.byteLength(data);
    this.gate.input(data);
  }

  /** Everything shown so far (from the recording), for a watcher who joins late. */
  history(): string {
    this.recorder.flush();
    return readRecordingOutput(this.recorder.path);
  }

  resize(cols: number, rows: number) {
    if (this.ended) return;
    this.channel.setWindow(rows, cols, 0, 0);
    this.recorder.resize(cols, rows);
  }

  get bytesOut() {
    return this.recorder.bytes;
  }

  activity(): SessionActivity {
    return {
      lastInputAt: this.lastInput,
      watchers: this.watchers.size,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
    };
  }

  /** Ends the session once: closes the shell, the recording and the sockets, stores the end. */
  end(reason: string) {
    if (this.ended) return;
    this.notices.flush();
    this.ended = true;
    this.gate.close();
    try {
      this.channel.close();
    } catch {
      // already closed
    }
    this.recorder.close();
    const closed = { type: 'closed' as const, reason };
    this.client.send(closed);
    this.client.close();
    for (const w of this.watchers) {
      w.send(closed);
      w.close();
    }
    this.watchers.clear();
    this.owner.onEnded(this, reason);
  }
}

/**
 * What the heartbeat stores of the live sessions: the activity (idle time, watchers, byte
 * counts) of those whose activity changed since it was last stored; `stored()` after writing.
 * Byte counts are flushed so that a killed backend's sessions keep them (a session with
 * output costs one row update per heartbeat; an idle one none).
 */
export function changedActivity(live: ReadonlyMap<string, LiveSession>) {
  const changed = new Map<string, SessionActivity>();
  const keys = new Map<string, string>();
  for (const [id, s] of live) {
    const activity = s.activity();
    const key = JSON.stringify(activity);
    if (key !== s.storedActivity) {
      changed.set(id, activity);
      keys.set(id, key);
    }
  }
  return {
    changed,
    stored() {
      for (const [id, key] of keys) {
        const s = live.get(id);
        if (s) s.storedActivity = key;
      }
      // crash-point tests: killed right after typed input's counts reached the database
      if ([...changed.values()].some(a => (a.bytesIn ?? 0) > 0)) {
        crashPoint('bastion.session.flushed');
      }
    },
  };
}
