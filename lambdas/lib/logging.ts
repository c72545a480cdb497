/**
 * Structured logs, one JSON record per line. In Lambda the stack turns on the runtime's JSON log
 * format, which adds the timestamp, level and request id to each record and filters by the
 * function's application log level; elsewhere (local server, tests) this writes the same fields
 * itself. No logging library is bundled: a route's bundle has a size budget and the runtime
 * already does the work.
 *
 * Level: AWS_LAMBDA_LOG_LEVEL (set by Lambda) or LOG_LEVEL — DEBUG, INFO (default), WARN, ERROR,
 * SILENT. The local server's `--verbose` sets LOG_LEVEL=DEBUG.
 */

const LEVELS = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40, SILENT: 100 } as const;
type Level = Exclude<keyof typeof LEVELS, 'SILENT'>;
export type LogFields = Readonly<Record<string, unknown>>;

const CONSOLE: Record<Level, (record: unknown) => void> = {
  DEBUG: (record) => console.debug(record),
  INFO: (record) => console.info(record),
  WARN: (record) => console.warn(record),
  ERROR: (record) => console.error(record),
};

function threshold(): number {
  const name = (process.env.AWS_LAMBDA_LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'INFO').toUpperCase();
  return LEVELS[name as keyof typeof LEVELS] ?? LEVELS.INFO;
}

/** Errors become plain objects (JSON.stringify drops their message and stack otherwise). */
function plain(fields: LogFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
  }
  return out;
}

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every record. */
  child(fields: LogFields): Logger;
}

export function createLogger(base: LogFields = {}): Logger {
  const emit = (level: Level, message: string, fields: LogFields = {}) => {
    if (LEVELS[level] < threshold()) return;
    const record = { message, ...base, ...plain(fields) };
    if (process.env.AWS_LAMBDA_LOG_FORMAT === 'JSON') {
      CONSOLE[level](record);
    } else {
      const line = JSON.stringify({ level, timestamp: new Date().toISOString(), service: 'daylily-workset-api', ...record });
      (LEVELS[level] >= LEVELS.WARN ? process.stderr : process.stdout).write(`${line}\n`);
    }
  };
  return {
    debug: (message, fields) => emit('DEBUG', message, fields),
    info: (message, fields) => emit('INFO', message, fields),
    warn: (message, fields) => emit('WARN', message, fields),
    error: (message, fields) => emit('ERROR', message, fields),
    child: (fields) => createLogger({ ...base, ...fields }),
  };
}

export const logger = createLogger();
