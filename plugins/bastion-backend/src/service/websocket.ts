import type {
  HttpRouterService,
  HttpRouterServiceWebSocketContext,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  bastionSessionManagePermission,
  bastionSessionOpenPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { WebSocket, WebSocketServer } from 'ws';
import {
  parseClientMessage,
  type ServerMessage,
  type SessionClient,
} from '../session/protocol';
import {
  SessionElsewhereError,
  SessionRefusedError,
  type SessionManager,
} from '../session/SessionManager';

function clientOf(ws: WebSocket): SessionClient {
  return {
    send(message: ServerMessage) {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
    },
    close() {
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
    },
  };
}

const intParam = (v: string | null, fallback: number, max: number) => {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 && n <= max ? n : fallback;
};

/**
 * The terminal WebSocket routes. The browser passes its Backstage token as the WebSocket
 * protocol (Backstage authenticates it before the handler runs); the handler echoes that
 * protocol back, as browsers require.
 */
export function addTerminalSockets(options: {
  httpRouter: HttpRouterService;
  sessions: SessionManager;
  permissions: PermissionsService;
  userInfo: UserInfoService;
  logger: LoggerService;
}) {
  const { httpRouter, sessions, permissions, userInfo, logger } = options;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 1024 * 1024,
    handleProtocols: (_protocols, request) =>
      (request as unknown as { opsdeckProtocol?: string }).opsdeckProtocol ??
      false,
  });

  function accept(ctx: HttpRouterServiceWebSocketContext): Promise<WebSocket> {
    (ctx.request as unknown as { opsdeckProtocol?: string }).opsdeckProtocol =
      ctx.authProtocol;
    return new Promise(resolve =>
      wss.handleUpgrade(ctx.request, ctx.socket, ctx.head, resolve),
    );
  }

  async function allowed(
    ctx: HttpRouterServiceWebSocketContext,
    permission: typeof bastionSessionOpenPermission,
  ) {
    if ((ctx.credentials.principal as { type?: string }).type !== 'user') {
      return false;
    }
    const [d] = await permissions.authorize([{ permission }], {
      credentials: ctx.credentials,
    });
    return d.result === AuthorizeResult.ALLOW;
  }

  function refuse(
    ws: WebSocket,
    code: string,
    message: string,
    details: Record<string, string> = {},
  ) {
    const client = clientOf(ws);
    // the details first: they never replace the type, code or message
    client.send({ ...details, type: 'error', code, message });
    ws.close(4403, code);
  }

  httpRouter.addWebSocketHandler({
    path: '/ws/terminal',
    async handler(ctx) {
      const ws = await accept(ctx);
      const url = new URL(ctx.request.url ?? '/', 'http://localhost');
      const hostName = url.searchParams.get('host') ?? '';
      try {
        if (!(await allowed(ctx, bastionSessionOpenPermission))) {
          refuse(
            ws,
            'not-allowed',
            'You are not allowed to open terminal sessions',
            { permission: bastionSessionOpenPermission.name },
          );
          return;
        }
        const info = await userInfo.getUserInfo(ctx.credentials);
        // buffer keystrokes typed while the shell is being opened
        const early: string[] = [];
        const state: { sessionId?: string } = {};
        ws.on('message', (raw, isBinary) => {
          if (isBinary) return;
          const msg = parseClientMessage(raw.toString());
          if (!msg) return;
          const id = state.sessionId;
          if (!id) {
            if (msg.type === 'input') early.push(msg.data);
            return;
          }
          if (msg.type === 'input') sessions.input(id, msg.data);
          else sessions.resize(id, msg.cols, msg.rows);
        });
        ws.on('close', () => {
          if (state.sessionId) {
            sessions.terminate(state.sessionId, 'The browser disconnected');
          }
        });
        const record = await sessions.open(
          {
            userRef: info.userEntityRef,
            ownershipRefs: info.ownershipEntityRefs,
            hostName,
            cols: intParam(url.searchParams.get('cols'), 80, 1000),
            rows: intParam(url.searchParams.get('rows'), 24, 500),
            loginUser: url.searchParams.get('login') ?? undefined,
          },
          clientOf(ws),
        );
        state.sessionId = record.id;
        if (ws.readyState !== WebSocket.OPEN) {
          sessions.terminate(record.id, 'The browser disconnected');
          return;
        }
        for (const data of early) sessions.input(record.id, data);
      } catch (e) {
        if (e instanceof SessionRefusedError) {
          refuse(ws, e.code, e.message, e.details);
        } else {
          logger.warn(`Bastion session on ${hostName} failed: ${e}`);
          refuse(ws, 'internal', 'The session could not be opened');
        }
      }
    },
  });

  httpRouter.addWebSocketHandler({
    path: '/ws/watch',
    async handler(ctx) {
      const ws = await accept(ctx);
      const url = new URL(ctx.request.url ?? '/', 'http://localhost');
      const id = url.searchParams.get('session') ?? '';
      if (!(await allowed(ctx, bastionSessionManagePermission))) {
        refuse(ws, 'not-allowed', 'You are not allowed to watch sessions', {
          permission: bastionSessionManagePermission.name,
        });
        return;
      }
      const client = clientOf(ws);
      const history = sessions.history(id);
      if (history !== undefined) client.send({ type: 'output', data: history });
      const stop = sessions.watch(id, client);
      if (stop) {
        ws.on('close', stop);
        return;
      }
      // held by another instance: follow its recording when the directory is shared
      try {
        const stopTail = await sessions.watchRemote(id, client);
        ws.on('close', stopTail);
        if (ws.readyState !== WebSocket.OPEN) stopTail();
      } catch (e) {
        if (e instanceof SessionElsewhereError) {
          refuse(ws, e.code, e.message, e.details);
        } else {
          logger.warn(`Cannot watch bastion session ${id}: ${e}`);
          refuse(ws, 'internal', 'The session cannot be watched');
        }
      }
    },
  });
}
