import type { Command } from 'commander';

export interface CommandModule {
  register(program: Command): void;
}

/**
 * Top-level command name -> the modules that register it. Loaded lazily: `matador flows` must
 * not pay for loading the Temporal SDK that `campaign`, `server` and `worker` need (hundreds of
 * milliseconds). Each owner adds one entry when their command module exists.
 */
export const commandTable: Record<string, () => Promise<CommandModule[]>> = {
  artefacts: async () => [await import('./artefacts')],
  campaign: async () => [await import('./campaign'), await import('./campaign-plan'), await import('./campaign-rerun')],
  cluster: async () => [await import('./cluster')],
  dataset: async () => [await import('./dataset')],
  demo: async () => [await import('./demo')],
  drift: async () => [await import('./drift')],
  flows: async () => [await import('./flows')],
  geo: async () => [await import('./geo')],
  report: async () => [await import('./report')],
  schedule: async () => [await import('./schedule')],
  server: async () => [await import('./server')],
  // testbed.ts (the emulated world) registers `testbed` first; testbed-check.ts adds `check`.
  testbed: async () => [await import('./testbed'), await import('./testbed-check')],
  traceroute: async () => [await import('./traceroute')],
  worker: async () => [await import('./worker')],
};

/** The modules needed for these arguments: the named command's, or all of them (for --help). */
export async function loadCommandModules(args: string[]): Promise<CommandModule[]> {
  const name = args.find((arg) => !arg.startsWith('-'));
  const loaders = name !== undefined && name in commandTable ? [commandTable[name]] : Object.values(commandTable);
  const modules: CommandModule[] = [];
  for (const load of loaders) modules.push(...(await load()));
  return modules;
}
