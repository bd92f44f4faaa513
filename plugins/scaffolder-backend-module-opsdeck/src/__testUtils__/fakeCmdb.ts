import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

/** A request the fake CMDB received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  authorization?: string;
  body: unknown;
}

/**
 * A local HTTP server standing in for the CMDB at `/api/cmdb`. `routes`
 * registers the handlers; every request is recorded in `requests`.
 */
export async function startFakeCmdb(
  routes: (router: express.Router) => void,
): Promise<{
  baseUrl: string;
  requests: ReceivedRequest[];
  close: () => Promise<void>;
}> {
  const requests: ReceivedRequest[] = [];
  const app = express();
  app.use(express.json());
  app.use((req, _res, next) => {
    requests.push({
      method: req.method,
      path: req.originalUrl,
      authorization: req.headers.authorization,
      body: req.body,
    });
    next();
  });
  const router = express.Router();
  routes(router);
  app.use('/api/cmdb', router);

  const server: Server = await new Promise(resolve => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close(err => (err ? reject(err) : resolve())),
      ),
  };
}

/** Discovery that points every plugin at the fake server. */
export function discoveryFor(baseUrl: string) {
  return {
    getBaseUrl: async (pluginId: string) => `${baseUrl}/api/${pluginId}`,
    getExternalBaseUrl: async (pluginId: string) =>
      `${baseUrl}/api/${pluginId}`,
  };
}

/** The token the mock auth service issues to call the CMDB on behalf of a user. */
export function onBehalfToken(credentials: BackstageCredentials) {
  return `Bearer ${mockCredentials.service.token({
    onBehalfOf: credentials,
    targetPluginId: 'cmdb',
  })}`;
}

/** A minimal action context, recording outputs and log lines. */
export function actionContext<TInput>(
  input: TInput,
  options: { credentials?: BackstageCredentials; isDryRun?: boolean } = {},
) {
  const logger = mockServices.logger.mock();
  const outputs: Record<string, unknown> = {};
  const credentials = options.credentials ?? mockCredentials.user();
  const ctx = {
    input,
    logger,
    workspacePath: '/tmp',
    isDryRun: options.isDryRun,
    task: { id: 'task-1' },
    output: jest.fn((name: string, value: unknown) => {
      outputs[name] = value;
    }),
    createTemporaryDirectory: jest.fn(),
    checkpoint: jest.fn(async ({ fn }: { fn: () => unknown }) => fn()),
    getInitiatorCredentials: jest.fn(async () => credentials),
  };
  const logLines = (level: 'info' | 'error') =>
    logger[level].mock.calls.map(call => String(call[0]));
  return { ctx: ctx as any, outputs, logger, logLines, credentials };
}
