import type { ErrorCode } from '../../shared/errors';

/**
 * The one error type the engine throws on purpose. Every failure an author can meet carries a
 * stable `code` (hosts map it to exit codes and UI states), a message that names the file or
 * connection and says what to do, and whether trying again can help. Hosts pass it across IPC,
 * HTTP and the CLI as data, because Electron keeps only `message` of a thrown error.
 */
export class QuireError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'QuireError';
    this.code = code;
    this.retryable = options.retryable ?? false;
  }

  toData(): { code: ErrorCode; message: string; retryable: boolean } {
    return { code: this.code, message: this.message, retryable: this.retryable };
  }
}

export function isQuireError(error: unknown): error is QuireError {
  return error instanceof QuireError;
}
