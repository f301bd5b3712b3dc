/**
 * The logging interface of the layers that may not import config/. Each call takes
 * a message in plain words and the ids as fields. The worker passes its winston
 * logger (config/logger.ts), which redacts secrets.
 */
export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}
