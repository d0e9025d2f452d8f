/**
 * What the shell interpreter (shell.ts) and its built-in commands (commands.ts,
 * android-commands.ts) share: the result and context of a command, the built-in signature and
 * the shell's path. Its own module so that the interpreter imports the built-ins and the
 * built-ins import only this, not the interpreter.
 */
import type { VirtualDevice } from './device';

export interface ShellResult {
  stdout: Buffer;
  stderr: Buffer;
  code: number;
  /** stdout and stderr in the order the commands wrote them (what a legacy PTY shell shows). */
  combined?: Buffer;
}

export interface ShellContext {
  dev: VirtualDevice;
  /** true after `su` (adbd itself runs as uid 2000 "shell", as on a production build). */
  root: boolean;
  stdin: Buffer;
  lastStatus: number;
  run(src: string, root: boolean): Promise<ShellResult>;
}

export type Builtin = (argv: string[], ctx: ShellContext) => Promise<ShellResult> | ShellResult;

export const SH = '/system/bin/sh';

export function result(stdout: string | Buffer = '', stderr: string | Buffer = '', code = 0): ShellResult {
  return { stdout: Buffer.isBuffer(stdout) ? stdout : Buffer.from(stdout), stderr: Buffer.isBuffer(stderr) ? stderr : Buffer.from(stderr), code };
}
