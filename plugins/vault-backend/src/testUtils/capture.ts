import {
  coreServices,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';

/** Everything logged through a {@link capturingRootLogger}, one JSON string per call. */
export type LogLines = string[];

function serialize(value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  return value;
}

function createLogger(lines: LogLines, meta: unknown): LoggerService {
  const log =
    (level: string) =>
    (message: string, extra?: Error | Record<string, unknown>) => {
      lines.push(
        JSON.stringify({ level, message, meta, extra: serialize(extra) }),
      );
    };
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: (childMeta: Record<string, unknown>) =>
      createLogger(lines, { ...(meta as object), ...childMeta }),
  };
}

/** A root logger that records every line (all levels) into `lines`. */
export function capturingRootLogger(lines: LogLines) {
  return createServiceFactory({
    service: coreServices.rootLogger,
    deps: {},
    factory: () => createLogger(lines, {}),
  });
}
