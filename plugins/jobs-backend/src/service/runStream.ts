import type { Response } from 'express';
import { JobStore } from '../database/JobStore';
import { RunExecutor } from '../execution/RunExecutor';
import { RunHost } from '../model';
import { dueTrigger } from '../notify/webhookTriggers';

type Stream = 'stdout' | 'stderr';

const STREAMS: Stream[] = ['stdout', 'stderr'];
const WEBHOOK_WAIT_MS = 30_000;
const FINISHED = (h: RunHost) =>
  h.status !== 'pending' && h.status !== 'running';

/**
 * Follows one run as Server-Sent Events:
 * - `run`: the run (status, summary, webhook delivery) whenever it changes;
 * - `host`: a host's state (status, exit code, attempts...) when it changes;
 * - `output`: `{host, stream, offset, text}`: the stream's text from `offset`
 *   on replaces what the client has (offset 0 after a retry restarted it);
 * - `end`: the run is over and everything has been sent; then it closes.
 *
 * The source of truth is the database, so the run may execute on any
 * replica: the stream reads it every `pollMs`. When the run executes on this
 * replica, the executor's change events trigger a read at once and running
 * hosts' output comes from its memory, without waiting for the 0.5 s flush.
 */
export class RunStreamer {
  constructor(
    private readonly deps: {
      store: JobStore;
      executor: RunExecutor;
      pollMs?: number;
      /** Least time between two reads, under a flood of output. */
      minGapMs?: number;
      keepAliveMs?: number;
    },
  ) {}

  async stream(
    runId: string,
    res: Response,
    options: { host?: string; signal: AbortSignal },
  ): Promise<void> {
    const { store, executor } = this.deps;
    const minGap = this.deps.minGapMs ?? 100;
    let lastRun = '';
    const lastHost = new Map<string, string>();
    const sent = new Map<string, string>(); // `${host}\0${stream}` -> text
    const finalRead = new Set<string>();
    let closed = false;
    let endedAt: number | undefined;

    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();

    const write = (text: string) => {
      if (closed) return;
      res.write(text);
      // the compression middleware holds data back unless flushed
      (res as unknown as { flush?: () => void }).flush?.();
    };
    const send = (event: string, data: unknown) =>
      write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

    const sendOutput = (host: string, stream: Stream, text: string) => {
      const key = `${host}\0${stream}`;
      const before = sent.get(key) ?? '';
      if (text === before) return;
      const offset = text.startsWith(before) ? before.length : 0;
      sent.set(key, text);
      send('output', { host, stream, offset, text: text.slice(offset) });
    };

    /** Sends what changed; true once the run is over and all is sent. */
    const pass = async (): Promise<boolean> => {
      const run = await store.getRun(runId);
      if (!run) {
        send('error', { message: `No run '${runId}'` });
        return true;
      }
      const hosts = await store.listRunHosts(runId);
      for (const h of hosts) {
        const json = JSON.stringify(h);
        if (lastHost.get(h.host) !== json) {
          lastHost.set(h.host, json);
          send('host', h);
        }
        if (options.host && options.host !== h.host) continue;
        if (h.status === 'pending') continue;
        if (FINISHED(h)) {
          // the final output is in the database once the host has finished
          if (finalRead.has(h.host)) continue;
          finalRead.add(h.host);
        }
        const live = FINISHED(h)
          ? undefined
          : executor.liveOutput(runId, h.host);
        const output = live ?? (await store.getRunHost(runId, h.host));
        if (!output) continue;
        for (const s of STREAMS) sendOutput(h.host, s, output[s]);
      }
      // the run last, so `status` arrives after the hosts' final state
      const runJson = JSON.stringify(run);
      if (runJson !== lastRun) {
        lastRun = runJson;
        send('run', run);
      }
      if (run.status === 'running') return false;
      // the webhook's result is written after the run ends: wait for it
      // (a delivery takes at most its timeouts and retries)
      endedAt ??= Date.now();
      if (run.webhookDelivery || Date.now() - endedAt > WEBHOOK_WAIT_MS) {
        return true;
      }
      const job = await store.getJob(run.jobId);
      return !dueTrigger(job?.webhook, run.status);
    };

    await new Promise<void>(resolve => {
      let busy = false;
      let again = false;
      let lastPass = 0;
      let soon: NodeJS.Timeout | undefined;
      const timers: NodeJS.Timeout[] = [];
      let onChange: (id: string) => void = () => {};
      const finish = () => {
        if (closed) return;
        closed = true;
        timers.forEach(clearInterval);
        if (soon) clearTimeout(soon);
        executor.events.off('change', onChange);
        options.signal.removeEventListener('abort', finish);
        res.end();
        resolve();
      };
      const run = async () => {
        if (closed) return;
        if (busy) {
          again = true;
          return;
        }
        busy = true;
        try {
          do {
            again = false;
            lastPass = Date.now();
            if (await pass()) {
              send('end', {});
              finish();
              return;
            }
          } while (again && !closed);
        } catch (e) {
          send('error', { message: String(e) });
          finish();
        } finally {
          busy = false;
        }
      };
      onChange = (id: string) => {
        if (id !== runId || soon || closed) return;
        const wait = Math.max(0, lastPass + minGap - Date.now());
        soon = setTimeout(() => {
          soon = undefined;
          run();
        }, wait);
      };
      timers.push(
        setInterval(run, this.deps.pollMs ?? 500),
        setInterval(
          () => write(': keep-alive\n\n'),
          this.deps.keepAliveMs ?? 15_000,
        ),
      );
      executor.events.on('change', onChange);
      options.signal.addEventListener('abort', finish);
      run();
    });
  }
}
