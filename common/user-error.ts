// An error the user can cause and fix (bad path, bad flag, bad config).
// The CLI prints its message as one line and exits with `exitCode` (2 by default), never a stack trace.
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}
