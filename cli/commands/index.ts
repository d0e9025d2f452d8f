import type { Command } from 'commander';
import * as geo from './geo';
import * as report from './report';
import * as campaignPlan from './campaign-plan';
import * as dataset from './dataset';
import * as flows from './flows';
import * as testbed from './testbed';

export interface CommandModule {
  register(program: Command): void;
}

/* Each owner adds one line here when their command module exists (cli/commands/<name>.ts). */
export const commandModules: CommandModule[] = [
  geo,
  report,
  campaignPlan,
  dataset,
  flows,
  testbed,
];
