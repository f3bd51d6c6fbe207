/**
 * Starting the proxy at login, opt-in (--autostart): a systemd user unit on Linux, a LaunchAgent on
 * macOS, a logon task on Windows. One row per platform: where the file goes, what it holds, how the
 * service manager takes it and lets it go. Without a service manager (containers, WSL1) the file is
 * not written and the proxy starts on demand, from Codex's auth command.
 */
import { userInfo } from 'node:os';
import {
  autostartPath,
  renderLaunchAgent,
  renderSystemdUnit,
  renderWindowsTask,
  SERVICE_NAME,
  WINDOWS_TASK_NAME,
  type AutostartInput,
} from '../config/autostart.js';
import type { SetupState } from '../inspect/inspect.js';
import type { LocalAnswers } from './answers.js';
import { deleteOp, writeOp, type Operation } from './operations.js';
import { tildify } from '../paths.js';
import { appCopyBin } from '../fs/app-copy.js';
import { venvLauncher } from '../runtime/litellm.js';
import { fail, pass, warn, type Check } from '../verify/check.js';
import type { Unit } from './types.js';

export interface ServicePlatform {
  manager: 'systemd' | 'launchd' | 'task-scheduler';
  path(state: Pick<SetupState, 'paths'>): string;
  render(state: Pick<SetupState, 'paths'>, answers: LocalAnswers): string;
  enable(path: string): string[][];
  disable(path: string): string[][];
}


function input(state: Pick<SetupState, 'paths'>, answers: LocalAnswers): AutostartInput {
  const { paths } = state;
  return {
    stateDir: paths.stateDir,
    launcher: answers.litellmLauncher ?? venvLauncher(paths.venv),
    bridgeConfig: paths.bridgeConfig,
    port: answers.port,
    secretsFile: paths.secrets,
    logFile: paths.logFile,
  };
}

export const SERVICE_PLATFORMS: Partial<Record<NodeJS.Platform, ServicePlatform>> = {
  linux: {
    manager: 'systemd',
    path: (state) => autostartPath(state.paths, 'linux'),
    render: (state, answers) => renderSystemdUnit(input(state, answers)),
    // Enabled for the next login, not started now: the proxy setup started keeps the port until then.
    enable: () => [['systemctl', '--user', 'daemon-reload'], ['systemctl', '--user', 'enable', `${SERVICE_NAME}.service`]],
    disable: () => [['systemctl', '--user', 'disable', `${SERVICE_NAME}.service`], ['systemctl', '--user', 'daemon-reload']],
  },
  darwin: {
    manager: 'launchd',
    path: (state) => autostartPath(state.paths, 'darwin'),
    render: (state, answers) => renderLaunchAgent(input(state, answers)),
    enable: (path) => [['launchctl', 'load', '-w', path]],
    disable: (path) => [['launchctl', 'unload', '-w', path]],
  },
  win32: {
    manager: 'task-scheduler',
    path: (state) => autostartPath(state.paths, 'win32'),
    render: (state) => renderWindowsTask({ userId: userInfo().username, nodePath: process.execPath, appBin: appCopyBin(state.paths.stateDir), stateDir: state.paths.stateDir }),
    enable: (path) => [['schtasks', '/Create', '/TN', WINDOWS_TASK_NAME, '/XML', path, '/F']],
    disable: () => [['schtasks', '/Delete', '/TN', WINDOWS_TASK_NAME, '/F']],
  },
};

const platform = () => SERVICE_PLATFORMS[process.platform] ?? null;


function removal(state: SetupState): Operation[] {
  const row = platform();
  const file = state.autostartFile;
  if (!row || file.text === null) return [];
  const disable: Operation[] = state.serviceManager.available ? [{ kind: 'run', action: 'service', argvs: row.disable(file.path), label: `disable the ${row.manager} service` }] : [];
  return [...disable, ...deleteOp(`${row.manager} service for the proxy`, file.path, file.text)];
}

export const autostartUnit: Unit<LocalAnswers> = {
  id: 'autostart',
  runsAfter: ['proxy'] /* enabled for the next login, after the proxy this run started */,
  plan({ state, answers, notes }) {
    const row = platform();
    const file = state.autostartFile;
    if (!answers.autostart) return removal(state);
    if (!row) {
      notes.problems.push(`--autostart: no supported service manager on ${process.platform}; the proxy starts on demand, from Codex's auth command.`);
      return [];
    }
    if (!state.serviceManager.available) {
      notes.problems.push(`--autostart: ${state.serviceManager.reason}, so nothing can start the proxy at login here; it starts on demand instead, when Codex runs its auth command.`);
      return [];
    }
    const ops: Operation[] = writeOp(`${row.manager} service for the proxy`, file.path, file.text, row.render(state, answers));
    if (ops.length > 0) ops.push({ kind: 'run', action: 'service', argvs: row.enable(file.path), label: `enable it (${row.enable(file.path).map((argv) => argv.join(' ')).join('; ')})` });
    return ops;
  },
  undo: (state) => removal(state),
  check({ state, answers, provider }) {
    const checks: Check[] = [];
    const onDemand = provider.auth.command !== null;
    if (answers.autostart && state.autostartFile.text !== null) {
      checks.push(pass('autostart', `The proxy starts at login (${tildify(state.autostartFile.path)})${onDemand ? ', and on demand from Codex\'s auth command' : ''}`));
    } else if (answers.autostart) {
      checks.push(
        state.serviceManager.available
          ? fail('autostart', `--autostart was chosen, but ${tildify(state.autostartFile.path)} is missing.`)
          : warn('autostart', `No service manager here (${state.serviceManager.reason}): the proxy starts on demand${onDemand ? ', from Codex\'s auth command' : ' only with `glm-codex-setup start`'}.`),
      );
    } else {
      checks.push(onDemand ? pass('autostart', 'The proxy starts on demand: Codex\'s auth command starts it when Codex needs it (after a reboot, a crash, kill -9)') : warn('autostart', 'After a reboot the proxy is down until `glm-codex-setup start` (this Codex has no command-backed auth).', 'Run glm-codex-setup --autostart, or update Codex (0.160+).'));
    }
    return checks;
  },
};
