/**
 * `matador testbed`: the emulated world (DESIGN section 5) — up, down, status, exec, fault.
 */
import { Argument, Command, Option } from 'commander';
import { CliError } from '../errors';
import { FAULT_KINDS, FaultKind } from '../../testbed/world/config';
import { COMPONENTS, Component, down, execIn, fault, status, up, WorldBuildError } from '../../testbed/world/world';
import { stateFile } from '../../testbed/world/state';
import { escapeText } from '../../lib/text/escape';

function fail(err: unknown): never {
  throw new CliError(err instanceof Error ? err.message : String(err));
}

function parseTestbeds(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 50) throw new CliError(`--testbeds: expected an integer 0..50, got ${JSON.stringify(v)}`);
  return n;
}

function parseSkip(v: string): Component[] {
  const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of parts) if (!(COMPONENTS as readonly string[]).includes(p)) throw new CliError(`--skip: unknown component ${JSON.stringify(p)} (have ${COMPONENTS.join(', ')})`);
  return parts as Component[];
}

export function register(program: Command): void {
  const testbed = program
    .command('testbed')
    .description(
      'The emulated world: network namespaces (prefix mt-) for country routers, vantage nodes with sshd,\n' +
        'WLAN routers and virtual phones, service backends, resolvers; routes reproduce the paper\'s paths.\n' +
        'World definitions: configs/worlds/<world>.yaml. State: .matador/world/<world>/state.json.',
    );

  testbed
    .command('up')
    .description('build a world (removes any leftovers first) and print how long it took')
    .argument('[world]', 'world name (configs/worlds/<world>.yaml) or a YAML file', 'small')
    .option('--testbeds <n>', 'number of testbeds (2 WLAN routers + 2 phones each), overrides the config', parseTestbeds)
    .option('--skip <components>', `comma-separated components not to start: ${COMPONENTS.join(',')}`, parseSkip)
    .option('--quiet', 'print only the summary line')
    .option('--keep-on-failure', 'leave a failed world in place for inspection (default: remove it)')
    .action(async (world: string, opts: { testbeds?: number; skip?: Component[]; quiet?: boolean; keepOnFailure?: boolean }) => {
      const log = opts.quiet ? () => undefined : (m: string) => process.stdout.write(`  ${m}\n`);
      try {
        const r = await up({ world, testbeds: opts.testbeds, skip: opts.skip, log });
        const s = r.state;
        process.stdout.write(
          `world ${s.world} up in ${r.seconds.toFixed(1)} s: ${s.routers.length} routers, ${s.nodes.length} nodes, ${s.testbeds.length} testbeds, ` +
            `${s.services.length} services, ${s.resolvers.length} resolvers, ${s.processes.length} processes; state ${stateFile(s.world)}\n`,
        );
      } catch (err) {
        if (opts.keepOnFailure || !(err instanceof WorldBuildError)) fail(err);
        await down().catch(() => undefined);
        fail(`${err instanceof Error ? err.message : String(err)} (the partial world was removed; --keep-on-failure keeps it)`);
      }
    });

  testbed
    .command('down')
    .description('remove every world: processes (pid files and namespace scan), namespaces, host links, files — also after a crash')
    .action(async () => {
      try {
        const r = await down();
        process.stdout.write(`world down: ${r.namespaces} namespaces, ${r.processes} processes, ${r.links} host links removed${r.worlds.length ? ` (${r.worlds.join(', ')})` : ''}\n`);
      } catch (err) {
        fail(err);
      }
    });

  testbed
    .command('status')
    .description('show the world that is up: elements, endpoints, processes, faults')
    .option('--json', 'print the state file')
    .action(async (opts: { json?: boolean }) => {
      try {
        const r = await status();
        if (!r.state) {
          process.stdout.write(`no world is up${r.namespacesPresent ? ` (but ${r.namespacesPresent} leftover mt- namespaces: run "matador testbed down")` : ''}\n`);
          process.exitCode = r.namespacesPresent ? 1 : 0;
          return;
        }
        const s = r.state;
        if (opts.json) {
          process.stdout.write(JSON.stringify(s, null, 2) + '\n');
          return;
        }
        const lines = [
          `world ${s.world}: ${s.status}${s.failure ? ` (${s.failure})` : ''}, up ${s.upSeconds ?? '?'} s, config ${s.configFile}`,
          `namespaces ${r.namespacesPresent}/${r.namespacesExpected}, processes alive ${r.processesAlive}/${s.processes.length}${r.processesDead.length ? ` (dead: ${r.processesDead.join(', ')})` : ''}`,
          `corrections ${s.correctionsFile}; link delays: ${s.delays.mode}${s.delays.reason ? ` (${s.delays.reason})` : ''}`,
          ...s.nodes.map((n) => `node ${n.id} ${n.country} ${n.address} ssh ${n.ssh ? `${n.ssh.username}@${n.ssh.host}:${n.ssh.port}` : '-'} dns ${n.resolver ?? '-'}`),
          ...s.testbeds.flatMap((t) =>
            (['A', 'B'] as const).map((side) => {
              const x = t.sides[side];
              return `testbed ${t.id}/${side} router ${x.router.id} ${x.router.uplinkAddress} ssh ${x.router.ssh ? 'yes' : '-'} | phone ${x.phone.id} ${x.phone.address} adb ${x.phone.adbSerial}${x.phone.running ? '' : ` (${x.phone.note})`}`;
            }),
          ),
          ...s.services.map((v) => `service ${v.id} (${v.app}) ${v.country} ${v.address} ${v.running ? 'running' : `down${v.note ? `: ${v.note}` : ''}`}`),
          ...s.resolvers.map((v) => `resolver ${v.id} ${v.country} ${v.address} (${v.records.length} names)`),
          ...s.faults.map((f) => `fault ${f.kind} ${f.target}${f.value !== null ? ` ${f.value}` : ''} since ${f.since}`),
        ];
        // notes and failures carry process and device output: one escaped line each
        process.stdout.write(lines.map(escapeText).join('\n') + '\n');
      } catch (err) {
        fail(err);
      }
    });

  testbed
    .command('exec')
    .description('run a command inside the namespace of a world element, e.g. `matador testbed exec pl-waw -- traceroute -n 198.18.12.101`')
    .argument('<name>', 'element id (pl-waw, gb, tb1-wa, tb1-pa, threema, dns-eu, lab) or namespace name')
    .argument('<command...>', 'the command and its arguments (after --)')
    .action(async (name: string, command: string[]) => {
      try {
        process.exitCode = await execIn(name, command);
      } catch (err) {
        fail(err);
      }
    });

  testbed
    .command('fault')
    .description(
      'inject or clear a fault in the running world:\n' +
        '  link-loss A~B --value PERCENT   random drops both ways (A~B router ids, or an element id: its access link)\n' +
        '  link-delay A~B --value MS       extra delay both ways (--clear: back to the config\'s delay)\n' +
        '  tunnel-down ELEMENT             tunnel interfaces (GRE/IPIP/WireGuard/VXLAN/TUN) down (--clear: up)\n' +
        '  tcpdump-kill ELEMENT            kill tcpdump in the element\'s namespace (one-shot)\n' +
        '  backend-down SERVICE            stop the backend (--clear: start it again)\n' +
        '  adb-disconnect PHONE            pull the USB cable (--clear: plug it back)\n' +
        '  adb-slow PHONE --value MS       delay every ADB message (--clear: 0)\n' +
        '  app-missing PHONE:APP           uninstall the app (an app id, e.g. wechat) from the phone: a permanent\n' +
        '                                  fault, measurements of that app fail app_not_installed (--clear: reinstall)\n' +
        '  adb-unauthorized PHONE          revoke the phone\'s USB debugging authorisations: adb lists it unauthorized,\n' +
        '                                  measurements fail adb_unauthorized (--clear: the adb server\'s key back)\n' +
        '  location-provider-missing PHONE uninstall the Appium Settings app (mock locations): measurements fail\n' +
        '                                  location_provider_missing (--clear: reinstall)\n' +
        '  clock-skew PHONE --value MS     the phone clock runs MS ahead: measurements fail clock_skew beyond the bound (--clear: in step)\n' +
        '  ui-dump-flaky PHONE --value N   the next N uiautomator dumps fail as while the screen animates (--clear: 0)\n' +
        '  screen-locked PHONE [--value V] screen off, lock screen up: V 1 (default) with a PIN (measurements fail\n' +
        '                                  screen_locked), V 0 swipe only (the driver dismisses it) (--clear: on, unlocked)\n' +
        '  app-version PHONE:APP@VERSION   the app installed at another version: measurements pinning the app fail\n' +
        '                                  app_version_mismatch (--clear with PHONE:APP: the catalogue\'s version)\n' +
        '  sudo-password HOST              the node\'s or WLAN router\'s login becomes an admin whose sudo wants a\n' +
        '                                  password: privileged steps fail privilege_denied (--clear: its usual login)',
    )
    .addArgument(new Argument('<kind>', `one of ${FAULT_KINDS.join(', ')}`).choices(FAULT_KINDS))
    .argument('<target>', 'link (A~B), element, service, phone id, PHONE:APP (app-missing) or PHONE:APP@VERSION (app-version)')
    .addOption(new Option('--value <n>', 'percent or milliseconds, depending on the kind').argParser((v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new CliError(`--value: expected a non-negative number, got ${JSON.stringify(v)}`);
      return n;
    }))
    .option('--clear', 'remove the fault instead')
    .action(async (kind: FaultKind, target: string, opts: { value?: number; clear?: boolean }) => {
      try {
        process.stdout.write(`${await fault({ kind, target, value: opts.value, clear: opts.clear })}\n`);
      } catch (err) {
        fail(err);
      }
    });
}
