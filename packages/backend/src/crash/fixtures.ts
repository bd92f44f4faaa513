import { CrashBackend, EntityDoc, GiveUp, waitFor } from './CrashBackend';

/** A catalog host entity (system `crash-lab`, so no demo host matches it). */
export function hostEntity(
  name: string,
  port: number,
  spec: Record<string, unknown> = {},
): EntityDoc {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace: 'default' },
    spec: {
      type: 'host',
      address: '127.0.0.1',
      port,
      loginUser: 'opsdeck',
      credential: 'crash-ssh',
      environment: 'test',
      owner: 'ops',
      system: 'crash-lab',
      ...spec,
    },
  };
}

/**
 * Starts a scaffolder task of `template` as `user`; returns its id. A 404 means
 * the catalog has not ingested the template yet after a (re)start: nothing was
 * created, so the request is tried again; any other answer or error fails at once.
 */
export async function startTask(
  backend: CrashBackend,
  user: string,
  template: string,
  values: Record<string, unknown>,
): Promise<string> {
  return waitFor(`a task of ${template}`, async () => {
    // a request that failed on the way may have created a task: never retried
    const res = await backend
      .api(user, 'POST', 'scaffolder/v2/tasks', {
        templateRef: `template:default/${template}`,
        values,
      })
      .catch(e => {
        throw new GiveUp(`Task not created: ${e}`);
      });
    if (res.status === 404) return undefined;
    if (res.status !== 201) {
      throw new GiveUp(
        `Task not created: HTTP ${res.status} ${JSON.stringify(res.body)}`,
      );
    }
    return res.body.id as string;
  });
}

/** The ticket of `user`'s request whose details carry `reason`, once it exists. */
export async function ticketByReason(
  backend: CrashBackend,
  user: string,
  reason: string,
): Promise<any> {
  return waitFor(`the ticket '${reason}'`, async () => {
    const res = await backend.api(user, 'GET', 'tickets/tickets?view=mine');
    return res.body?.items?.find((t: any) => t.details?.reason === reason);
  });
}

/** Waits until the ticket is in `state` (fails at once on another final state). */
export async function ticketInState(
  backend: CrashBackend,
  user: string,
  id: number,
  state: string,
  timeoutMs = 120_000,
): Promise<any> {
  return waitFor(
    `ticket ${id} to be ${state}`,
    async () => {
      const { body } = await backend.api(user, 'GET', `tickets/tickets/${id}`);
      if (body?.state === state) return body;
      if (['done', 'failed', 'rejected'].includes(body?.state)) {
        throw new GiveUp(`ticket ${id} is ${body.state}: ${body.message}`);
      }
      return undefined;
    },
    timeoutMs,
  );
}
