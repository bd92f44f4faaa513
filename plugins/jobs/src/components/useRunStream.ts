import { useEffect, useState } from 'react';
import { Run, RunEvent, RunHost } from '../api';
import { useJobsClient } from './common';

export type StreamMode =
  | 'off'
  | 'connecting'
  | 'streaming'
  | 'ended'
  | 'broken';

export interface RunStreamState {
  mode: StreamMode;
  run?: Run;
  hosts: Record<string, RunHost>;
  output: Record<string, { stdout: string; stderr: string }>;
}

const initial: RunStreamState = { mode: 'off', hosts: {}, output: {} };

function apply(state: RunStreamState, e: RunEvent): RunStreamState {
  switch (e.type) {
    case 'run':
      return { ...state, mode: 'streaming', run: e.run };
    case 'host':
      return {
        ...state,
        mode: 'streaming',
        hosts: { ...state.hosts, [e.host.host]: e.host },
      };
    case 'output': {
      const current = state.output[e.host] ?? { stdout: '', stderr: '' };
      const text = current[e.stream].slice(0, e.offset) + e.text;
      return {
        ...state,
        mode: 'streaming',
        output: { ...state.output, [e.host]: { ...current, [e.stream]: text } },
      };
    }
    default:
      return { ...state, mode: 'ended' };
  }
}

/**
 * Follows a running run over its event stream (state of every host, output
 * of `host`). The mode turns `broken` when the stream fails, and the caller
 * then falls back to polling the REST API.
 */
export function useRunStream(
  runId: string,
  host: string | undefined,
  enabled: boolean,
): RunStreamState {
  const client = useJobsClient();
  const [state, setState] = useState<RunStreamState>(initial);
  useEffect(() => {
    if (!enabled) return undefined;
    const abort = new AbortController();
    // a new connection sends everything again
    setState({ ...initial, mode: 'connecting' });
    client
      .followRun(runId, { host, signal: abort.signal }, e =>
        setState(s => apply(s, e)),
      )
      .catch(() => {
        if (!abort.signal.aborted) setState(s => ({ ...s, mode: 'broken' }));
      });
    return () => abort.abort();
  }, [client, runId, host, enabled]);
  return state;
}
