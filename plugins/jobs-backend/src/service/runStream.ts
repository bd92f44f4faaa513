import type { Response } from 'express';
import { JobStore } from '../database/JobStore';
import { RunExecutor } from '../execution/RunExecutor';
import { Run, RunHost } from '../model';
import { dueTrigger } from '../notify/webhookTriggers';

type Stream = 'stdout' | 'stderr';
type Output = Record<Stream, string>;

const STREAMS: Stream[] = ['stdout', 'stderr'];
const WEBHOOK_WAIT_MS = 30_000;
const FINISHED = (h: RunHost) =>
  h.status !== 'pending' && h.status !== 'running';

/** What one read of a run found; every viewer is sent the differences. */
type Snapshot = {
  run: Run;
  hosts: RunHost[];
  /**
   * Output of every host that has started (also those no viewer follows
   * now: a viewer may join while the read is under way).
   */
  output: Map<string, Output>;
  /** The run is over and nothing more will change. */
  done: boolean;
};

/** One SSE connection: what it has been sent so far. */
class Viewer {
  private lastRun = '';
  private readonly lastHost = new Map<string, string>();
  private readonly sent = new Map<string, string>(); // `${host}\0${stream}`
  private closed = false;

  constructor(
    private readonly res: Response,
    readonly host: string | undefined,
    private readonly onClose: () => void,
  ) {}

  write(text: string) {
    if (this.closed) return;
    this.res.write(text);
    // the compression middleware holds data back unless flushed
    (this.res as unknown as { flush?: () => void }).flush?.();
  }

  send(event: string, data: unknown) {
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Sends what changed since this viewer's last snapshot. */
  apply(snap: Snapshot) {
    for (const h of snap.hosts) {
      const json = JSON.stringify(h);
      if (this.lastHost.get(h.host) !== json) {
        this.lastHost.set(h.host, json);
        this.send('host', h);
      }
      if (this.host && this.host !== h.host) continue;
      const output = snap.output.get(h.host);
      if (output)
        for (const s of STREAMS) this.sendOutput(h.host, s, output[s]);
    }
    // the run last, so `status` arrives after the hosts' final state
    const runJson = JSON.stringify(snap.run);
    if (runJson !== this.lastRun) {
      this.lastRun = runJson;
      this.send('run', snap.run);
    }
    if (snap.done) {
      this.send('end', {});
      this.close();
    }
  }

  private sendOutput(host: string, stream: Stream, text: string) {
    const key = `${host}\0${stream}`;
    const before = this.sent.get(key) ?? '';
    if (text === before) return;
    const offset = text.startsWith(before) ? before.length : 0;
    this.sent.set(key, text);
    this.send('output', { host, stream, offset, text: text.slice(offset) });
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.res.end();
    this.onClose();
  }
}

/**
 * The one reader of a run on this replica, shared by all its viewers: it
 * reads the database every `pollMs` (and at once, at most every `minGapMs`,
 * on the executor's change events) and hands each read to every viewer.
 */
class RunWatch {
  private readonly viewers = new Set<Viewer>();
  private readonly finalOutput = new Map<string, Output>();
  private last: Snapshot | undefined;
  private endedAt: number | undefined;
  private busy = false;
  private again = false;
  private lastPass = 0;
  private soon: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly onChange = (id: string) => {
    if (id !== this.runId || this.soon || this.stopped) return;
    const wait = Math.max(0, this.lastPass + this.deps.minGapMs - Date.now());
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.poll();
    }, wait);
  };

  constructor(
    private readonly runId: string,
    private readonly deps: {
      store: JobStore;
      executor: RunExecutor;
      pollMs: number;
      minGapMs: number;
      onStop: () => void;
    },
  ) {
    this.timer = setInterval(() => this.poll(), deps.pollMs);
    deps.executor.events.on('change', this.onChange);
    this.poll();
  }

  get viewerCount() {
    return this.viewers.size;
  }

  add(viewer: Viewer) {
    this.viewers.add(viewer);
    // a late joiner starts from the last read: everything printed so far
    if (this.last) viewer.apply(this.last);
  }

  remove(viewer: Viewer) {
    this.viewers.delete(viewer);
    if (this.viewers.size === 0) this.stop();
  }

  private stop() {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    this.deps.executor.events.off('change', this.onChange);
    this.deps.onStop();
  }

  private async poll() {
    if (this.stopped) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      do {
        this.again = false;
        this.lastPass = Date.now();
        const snap = await this.read();
        if (this.stopped) return;
        if (!snap) {
          this.broadcastError(`No run '${this.runId}'`);
          return;
        }
        this.last = snap;
        if (snap.done) this.stop(); // no new viewer may join a finished watch
        for (const v of [...this.viewers]) v.apply(snap);
      } while (this.again && !this.stopped);
    } catch (e) {
      this.broadcastError(String(e));
    } finally {
      this.busy = false;
    }
  }

  private broadcastError(message: string) {
    this.stop();
    for (const v of [...this.viewers]) {
      v.send('error', { message });
      v.close();
    }
  }

  private async read(): Promise<Snapshot | undefined> {
    const { store, executor } = this.deps;
    const run = await store.getRun(this.runId);
    if (!run) return undefined;
    const hosts = await store.listRunHosts(this.runId);
    const output = new Map<string, Output>();
    for (const h of hosts) {
      if (h.status === 'pending') continue;
      // the final output is in the database once the host has finished
      let out: Output | undefined = this.finalOutput.get(h.host);
      if (!out) {
        const finished = FINISHED(h);
        out =
          (finished ? undefined : executor.liveOutput(this.runId, h.host)) ??
          (await store.getRunHost(this.runId, h.host));
        if (out && finished) this.finalOutput.set(h.host, out);
      }
      if (out) output.set(h.host, { stdout: out.stdout, stderr: out.stderr });
    }
    return { run, hosts, output, done: await this.isOver(run) };
  }

  private async isOver(run: Run): Promise<boolean> {
    if (run.status === 'running') return false;
    // the webhook's result is written after the run ends: wait for it
    // (a delivery takes at most its timeouts and retries)
    this.endedAt ??= Date.now();
    if (run.webhookDelivery || Date.now() - this.endedAt > WEBHOOK_WAIT_MS) {
      return true;
    }
    const job = await this.deps.store.getJob(run.jobId);
    return !dueTrigger(job?.webhook, run.status);
  }
}

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
 * All viewers of a run on this replica share one reader (`RunWatch`), so the
 * database load does not grow with the number of viewers.
 */
export class RunStreamer {
  private readonly watches = new Map<string, RunWatch>();

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

  /** Runs being read for viewers on this replica (for tests). */
  watchedRuns(): string[] {
    return [...this.watches.keys()];
  }

  async stream(
    runId: string,
    res: Response,
    options: { host?: string; signal: AbortSignal },
  ): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();

    await new Promise<void>(resolve => {
      // set below, cleared by the viewer's close
      const held: {
        keepAlive?: NodeJS.Timeout;
        abort?: () => void;
        watch?: RunWatch;
      } = {};
      const viewer = new Viewer(res, options.host, () => {
        clearInterval(held.keepAlive);
        if (held.abort) options.signal.removeEventListener('abort', held.abort);
        held.watch?.remove(viewer);
        resolve();
      });
      if (options.signal.aborted) {
        viewer.close();
        return;
      }
      held.abort = () => viewer.close();
      held.keepAlive = setInterval(
        () => viewer.write(': keep-alive\n\n'),
        this.deps.keepAliveMs ?? 15_000,
      );
      options.signal.addEventListener('abort', held.abort);
      let watch = this.watches.get(runId);
      if (!watch) {
        const created: RunWatch = new RunWatch(runId, {
          store: this.deps.store,
          executor: this.deps.executor,
          pollMs: this.deps.pollMs ?? 500,
          minGapMs: this.deps.minGapMs ?? 100,
          onStop: () => {
            if (this.watches.get(runId) === created) this.watches.delete(runId);
          },
        });
        this.watches.set(runId, created);
        watch = created;
      }
      held.watch = watch;
      watch.add(viewer);
    });
  }
}
