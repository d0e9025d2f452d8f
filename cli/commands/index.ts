import type { Command } from 'commander';
import * as dataset from './dataset';

export interface CommandModule {
  register(program: Command): void;
}

/* Each owner adds one line here when their command module exists (cli/commands/<name>.ts). */
export const commandModules: CommandModule[] = [
  dataset,
];
