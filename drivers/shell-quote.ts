/**
 * The ONE POSIX shell quoting helper of the drivers. Remote commands over SSH always pass through
 * a shell (the SSH protocol carries one command string), so every argument that is not a literal
 * of our own code goes through `shellQuote`/`shellCommand`.
 *
 * Rule: wrap in single quotes; inside single quotes nothing is special except the single quote
 * itself, which is written as '\'' (close quote, escaped quote, reopen quote). This is correct
 * for every POSIX sh (dash, bash, busybox ash) and for every byte sequence except NUL, which no
 * shell argument can carry and is therefore refused.
 */

/** Quote one argument for a POSIX shell. Throws on NUL (cannot be passed as an argument). */
export function shellQuote(value: string): string {
  if (value.includes('\0')) {
    throw new Error(`shellQuote: argument contains a NUL byte and cannot be passed to a shell: ${JSON.stringify(value)}`);
  }
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Join an argv array into one command string in which every element is quoted. */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('shellCommand: empty argv');
  return argv.map(shellQuote).join(' ');
}
