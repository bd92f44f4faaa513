import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ON_BEHALF_OF_HEADER } from '@opsdeck/plugin-opsdeck-node';
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { actionContext } from '../__testUtils__/ticketsBackend';
import { createServerAccessAction } from './serverAccessAction';

/** A stand-in bastion API that records the grant requests it gets. */
async function fakeBastion() {
  const requests: { headers: Record<string, unknown>; body: any }[] = [];
  const app = express();
  app.use(express.json());
  app.post('/grants', (req, res) => {
    requests.push({ headers: req.headers, body: req.body });
    res.status(201).json({ id: `g${requests.length}` });
  });
  const server: Server = await new Promise(resolve => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => server.close() };
}

describe('opsdeck:tickets:server-access', () => {
  it('asks the bastion for the grant on behalf of the requester, so the audit log names them', async () => {
    const bastion = await fakeBastion();
    try {
      const states: string[] = [];
      const action = createServerAccessAction({
        tickets: {
          poll: async () => ({ state: 'approved' } as any),
          setState: async (_id: number, state: string) => {
            states.push(state);
            return {} as any;
          },
          submit: async () => ({} as any),
          // each fulfilment step runs once: none has run yet
          beginStep: async () => ({ state: 'running', attempts: 1 } as any),
          finishStep: async () => ({} as any),
        },
        catalog: catalogServiceMock({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Resource',
              metadata: { name: 'web-01', namespace: 'default' },
              spec: { type: 'host', owner: 'ops', address: '192.0.2.1' },
            },
          ],
        }),
        discovery: {
          getBaseUrl: async () => bastion.url,
          getExternalBaseUrl: async () => bastion.url,
        },
        auth: mockServices.auth(),
      });
      const { ctx } = actionContext(
        { ticketId: 7, hosts: ['resource:default/web-01'], hours: 2 },
        { user: 'dave' },
      );
      await action.handler(ctx);
      expect(states).toEqual(['fulfilling', 'done']);
      expect(bastion.requests).toHaveLength(1);
      expect(bastion.requests[0].body).toMatchObject({
        subject: 'user:default/dave',
        selector: { host: 'web-01' },
      });
      expect(bastion.requests[0].headers[ON_BEHALF_OF_HEADER]).toBe(
        'user:default/dave',
      );
    } finally {
      bastion.close();
    }
  });
});
