/** An error meant for the person at the terminal: printed as one line, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** One line, `matador: ...`. Stack traces only with MATADOR_DEBUG=1. */
export function formatCliError(err: unknown): string {
  if (process.env.MATADOR_DEBUG === '1' && err instanceof Error && err.stack) return `matador: ${err.stack}`;
  const message = err instanceof Error ? err.message : String(err);
  return `matador: ${message.replace(/\s*\n\s*/g, ' ')}`;
}
