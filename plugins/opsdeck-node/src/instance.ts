import type { RootConfigService } from '@backstage/backend-plugin-api';
import { hostname } from 'node:os';

/**
 * The stable name of this backend instance: `opsdeck.instanceName`, or
 * `<hostname>:<listen port>`. It stays the same when the instance restarts,
 * so at start-up a plugin can end what its own previous process left running
 * (runs, sessions, steps) at once, instead of waiting for a heartbeat to go
 * stale. Replicas running at the same time must have different names (they
 * do by default: different hosts or ports).
 */
export function backendInstanceName(config: RootConfigService): string {
  const configured = config.getOptionalString('opsdeck.instanceName');
  if (configured) return configured;
  const listen = config.getOptional('backend.listen');
  let port = '7007';
  if (typeof listen === 'string') port = listen.split(':').pop() || port;
  else if (listen && typeof listen === 'object') {
    const p = (listen as { port?: unknown }).port;
    if (p !== undefined) port = String(p);
  }
  return `${hostname()}:${port}`;
}
