import type { LoggerService } from '@backstage/backend-plugin-api';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BastionStore, SessionRecord } from '../database/BastionStore';
import { RecordingTail } from '../recording/RecordingTail';
import type { SessionClient } from './protocol';

/** Watching a session that another instance holds, whose recording this instance cannot read. */
export class SessionElsewhereError extends Error {
  constructor(
    readonly code: 'bastion-session-not-live' | 'bastion-session-elsewhere',
    message: string,
    readonly details: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'SessionElsewhereError';
  }
}

/**
 * Follows sessions of other instances through their recordings (a shared recordings
 * directory), and counts the people doing so per session for the live list.
 */
export class RemoteWatch {
  /** People on this instance following sessions of other instances, per session. */
  readonly following = new Map<string, number>();

  constructor(
    private readonly deps: {
      store: BastionStore;
      recordingsDir: string;
      instanceId: string;
      logger: LoggerService;
      openSomewhere(record: SessionRecord): boolean;
    },
  ) {}

  private follow(id: string, by: 1 | -1) {
    const n = (this.following.get(id) ?? 0) + by;
    if (n > 0) this.following.set(id, n);
    else this.following.delete(id);
  }

  /**
   * Watches a session that another instance holds by following its recording, which works
   * when the recordings directory is shared between the instances (the owner flushes it every
   * half second); otherwise refuses, naming the owner. Returns the function that stops it.
   */
  async watch(id: string, client: SessionClient): Promise<() => void> {
    const { store, openSomewhere } = this.deps;
    const record = await store.getSession(id);
    if (!record || !openSomewhere(record)) {
      throw new SessionElsewhereError(
        'bastion-session-not-live',
        `Session ${id} is not live`,
      );
    }
    const path = join(this.deps.recordingsDir, record.recording);
    if (!existsSync(path)) {
      throw new SessionElsewhereError(
        'bastion-session-elsewhere',
        `Session ${id} runs on backend instance ${record.instanceId}, whose recordings this instance (${this.deps.instanceId}) cannot read; watch it through that instance or share the recordings directory`,
        { instance: record.instanceId ?? '' },
      );
    }
    const tail = new RecordingTail(path);
    let stopped = false;
    let polls = 0;
    let timer: NodeJS.Timeout | undefined;
    this.follow(id, 1);
    const stop = () => {
      if (stopped) return;
      stopped = true;
      this.follow(id, -1);
      if (timer) clearTimeout(timer);
    };
    const onError = (e: unknown) => {
      this.deps.logger.warn(`Cannot follow recording of ${id}: ${e}`);
      client.close();
      stop();
    };
    const poll = async (): Promise<void> => {
      if (stopped) return;
      const text = await tail.read();
      if (text) client.send({ type: 'output', data: text });
      // the end is in the database; look every couple of seconds
      if (++polls % 4 === 0) {
        const current = await store.getSession(id);
        if (!current || !openSomewhere(current)) {
          const rest = await tail.read();
          if (rest) client.send({ type: 'output', data: rest });
          client.send({
            type: 'closed',
            reason: current?.endReason ?? 'The session ended',
          });
          client.close();
          stop();
          return;
        }
      }
      if (!stopped) {
        timer = setTimeout(() => {
          poll().catch(onError);
        }, 500);
      }
    };
    await poll().catch(onError);
    return stop;
  }
}
