import { Command, CommanderError } from 'commander';
import { loadCommandModules } from './commands';
import { formatCliError } from './errors';

/** Entry point of the `matador` command. Each command lives in cli/commands/<name>.ts and
 *  registers itself; this file only wires them and turns errors into one line. */
export async function run(argv: string[]): Promise<number> {
  const program = new Command('matador')
    .description(
      'MATAdOR-TS: measure where mobile messaging traffic goes, which countries and interest groups ' +
        'can reach it, and compare it with the direct network path. Runs on Temporal.',
    )
    .showHelpAfterError()
    .exitOverride();
  for (const mod of await loadCommandModules(argv.slice(2))) mod.register(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(`${formatCliError(err)}\n`);
    return typeof (err as { exitCode?: unknown }).exitCode === 'number' ? (err as { exitCode: number }).exitCode : 1;
  }
}

/** Called by bin/matador. Exits only after stdout and stderr are flushed: a large `--json`
 *  written to a pipe would otherwise be cut off by process.exit. */
export function main(): void {
  // `matador flows big.pcap | head` closes the pipe early: that is a normal end, not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));
  }
  const exitWhenFlushed = (code: number): void => {
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  };
  run(process.argv).then(exitWhenFlushed, (err: unknown) => {
    process.stderr.write(`${formatCliError(err)}\n`);
    exitWhenFlushed(1);
  });
}
