/**
 * Starting the proxy at login (opt-in): the files each platform's service manager reads, rendered as
 * pure functions, and whether a service manager is reachable at all. Secrets never go into these
 * files: systemd reads them from secrets.env (EnvironmentFile=, mode 0600), launchd's job sources the
 * same file before it execs LiteLLM, and the Windows task runs the tool's own `start`.
 * Where no service manager runs (containers, WSL1, machines whose PID 1 is not systemd), the auth
 * command's on-demand start is what brings the proxy up.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import { runner } from '../process/run.js';

export const SERVICE_NAME = 'glm-codex-proxy';
export const LAUNCH_AGENT_LABEL = 'dev.glm-codex-setup.proxy';
export const WINDOWS_TASK_NAME = 'glm-codex-setup proxy';

/** What every renderer needs; all paths absolute. */
export interface AutostartInput {
  stateDir: string;
  /** argv prefix that runs LiteLLM (e.g. [`<venv>/bin/litellm`]). */
  launcher: string[];
  bridgeConfig: string;
  port: number;
  /** secrets.env: NAME=value lines, mode 0600. */
  secretsFile: string;
  logFile: string;
}

/** The variables startProxy sets besides the keys: no telemetry, no cost-map download, unbuffered logs. */
export const PROXY_ENV: Record<string, string> = {
  PYTHONUNBUFFERED: '1',
  LITELLM_LOCAL_MODEL_COST_MAP: 'True',
  LITELLM_TELEMETRY: 'False',
};

export function proxyArgv(input: Pick<AutostartInput, 'launcher' | 'bridgeConfig' | 'port'>): string[] {
  return [...input.launcher, '--config', input.bridgeConfig, '--host', '127.0.0.1', '--port', String(input.port)];
}

function requireAbsolute(paths: string[]): void {
  for (const path of paths) {
    if (!path.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(path)) throw new Error(`autostart: ${path} is not an absolute path`);
  }
}

// ---- systemd (Linux) -------------------------------------------------------------------------------

/** `%` starts a specifier everywhere in a unit file. */
function systemdEscapeSpecifiers(value: string): string {
  return value.replace(/%/g, '%%');
}

/** One ExecStart word: quoted when needed, `\`, `"` escaped, `$` doubled (no variable expansion), `%` doubled. */
export function systemdExecWord(arg: string): string {
  if (/[\n\r]/.test(arg)) throw new Error('autostart: a line break cannot be part of a command line');
  const escaped = systemdEscapeSpecifiers(arg).replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A path as the whole value of a setting (WorkingDirectory=, EnvironmentFile=): specifiers escaped. */
function systemdPathValue(path: string): string {
  if (/[\n\r]/.test(path)) throw new Error('autostart: a line break cannot be part of a path');
  return systemdEscapeSpecifiers(path);
}

export function systemdUnitPath(home: string, env: NodeJS.ProcessEnv = process.env): string {
  const config = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : `${home}/.config`;
  return `${config}/systemd/user/${SERVICE_NAME}.service`;
}

/**
 * The program itself: systemd refuses quotes, backslashes and control characters in it ("Executable name
 * contains special characters") and takes `$` literally there (no `$$`), so it is written as is or refused.
 */
export function systemdExecutable(path: string): string {
  if (/["'\\\x00-\x1f\x7f]/.test(path)) {
    throw usageError(`autostart: systemd cannot start a program whose path holds a quote, backslash, tab or control character: ${JSON.stringify(path)}.`, 'Use a --state-dir whose path has none of them, or run without --autostart.');
  }
  const escaped = systemdEscapeSpecifiers(path);
  return /^[A-Za-z0-9_@+=:,.\/$-]+$/.test(escaped) ? escaped : `"${escaped}"`;
}

export function renderSystemdUnit(input: AutostartInput): string {
  const argv = proxyArgv(input);
  requireAbsolute([input.stateDir, input.bridgeConfig, input.secretsFile, input.logFile, argv[0]!]);
  const environment = Object.entries(PROXY_ENV)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  return [
    '# Written by glm-codex-setup: the LiteLLM proxy behind Codex\'s "glm" profile.',
    '# Remove it with: glm-codex-setup autostart disable',
    '[Unit]',
    'Description=LiteLLM proxy for Codex GLM models (glm-codex-setup)',
    // Back again a second after a crash; a proxy that cannot start is tried 5 times in 2 minutes, then
    // left to the auth command's on-demand start (which shows Codex why), not restarted in a loop.
    'StartLimitIntervalSec=120',
    'StartLimitBurst=5',
    '',
    '[Service]',
    'Type=simple',
    `WorkingDirectory=${systemdPathValue(input.stateDir)}`,
    `EnvironmentFile=${systemdPathValue(input.secretsFile)}`,
    `Environment=${environment}`,
    `ExecStart=${[systemdExecutable(argv[0]!), ...argv.slice(1).map(systemdExecWord)].join(' ')}`,
    'Restart=on-failure',
    'RestartSec=1',
    `StandardOutput=append:${systemdPathValue(input.logFile)}`,
    'StandardError=inherit',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

// ---- launchd (macOS) -------------------------------------------------------------------------------

function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function launchAgentPath(home: string): string {
  return `${home}/Library/LaunchAgents/${LAUNCH_AGENT_LABEL}.plist`;
}

/**
 * The job runs `/bin/sh -c 'set -a; . "$0"; exec "$@"' <secrets.env> <litellm argv...>`: the shell
 * script is a constant, the paths are separate arguments (nothing is quoted by hand), the keys are read
 * from the 0600 file at start and never written into the plist, and `exec` leaves LiteLLM itself as the
 * process launchd supervises, so KeepAlive restarts the proxy, not a wrapper.
 */
export const LAUNCHD_ENV_SCRIPT = 'set -a; . "$0"; exec "$@"';

export function launchAgentArguments(input: AutostartInput): string[] {
  return ['/bin/sh', '-c', LAUNCHD_ENV_SCRIPT, input.secretsFile, ...proxyArgv(input)];
}

export function renderLaunchAgent(input: AutostartInput): string {
  const args = launchAgentArguments(input);
  requireAbsolute([input.stateDir, input.bridgeConfig, input.secretsFile, input.logFile, input.launcher[0]!]);
  const string = (value: string) => `<string>${xmlEscape(value)}</string>`;
  const env = Object.entries(PROXY_ENV)
    .map(([name, value]) => `\t\t<key>${xmlEscape(name)}</key>\n\t\t${string(value)}`)
    .join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    '\t<key>Label</key>',
    `\t${string(LAUNCH_AGENT_LABEL)}`,
    '\t<key>ProgramArguments</key>',
    '\t<array>',
    ...args.map((arg) => `\t\t${string(arg)}`),
    '\t</array>',
    '\t<key>EnvironmentVariables</key>',
    '\t<dict>',
    env,
    '\t</dict>',
    '\t<key>WorkingDirectory</key>',
    `\t${string(input.stateDir)}`,
    '\t<key>RunAtLoad</key>',
    '\t<true/>',
    '\t<key>KeepAlive</key>',
    '\t<true/>',
    '\t<key>StandardOutPath</key>',
    `\t${string(input.logFile)}`,
    '\t<key>StandardErrorPath</key>',
    `\t${string(input.logFile)}`,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

// ---- Task Scheduler (Windows) ----------------------------------------------------------------------

export interface WindowsTaskInput {
  /** DOMAIN\user (or user) the logon trigger and the principal are for. */
  userId: string;
  /** Absolute node.exe (process.execPath). */
  nodePath: string;
  /** Absolute path of the app copy's bin/glm-codex-setup.js. */
  appBin: string;
  stateDir: string;
}

/** One argument for a Windows command line (CommandLineToArgvW rules). */
export function windowsArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let slashes = 0;
  for (const char of arg) {
    if (char === '\\') {
      slashes++;
      continue;
    }
    if (char === '"') {
      out += '\\'.repeat(slashes * 2 + 1) + '"';
    } else {
      out += '\\'.repeat(slashes) + char;
    }
    slashes = 0;
  }
  return `${out}${'\\'.repeat(slashes * 2)}"`;
}

/**
 * A per-user logon task that runs the tool's own `start` from the app copy: Task Scheduler has no
 * environment file, and `start` reads the keys from secrets.env itself. It runs with the user's own
 * limited rights (LeastPrivilege, InteractiveToken): no elevation, no stored password.
 * Task Scheduler expects the file in UTF-16: write it with encodeWindowsTask().
 */
export function renderWindowsTask(input: WindowsTaskInput): string {
  requireAbsolute([input.nodePath, input.appBin, input.stateDir]);
  const args = [input.appBin, 'start', '--state-dir', input.stateDir].map(windowsArg).join(' ');
  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    '  <RegistrationInfo>',
    '    <Description>Starts the LiteLLM proxy behind Codex\'s glm profile (glm-codex-setup) at logon.</Description>',
    '  </RegistrationInfo>',
    '  <Triggers>',
    '    <LogonTrigger>',
    '      <Enabled>true</Enabled>',
    `      <UserId>${xmlEscape(input.userId)}</UserId>`,
    '    </LogonTrigger>',
    '  </Triggers>',
    '  <Principals>',
    '    <Principal id="Author">',
    `      <UserId>${xmlEscape(input.userId)}</UserId>`,
    '      <LogonType>InteractiveToken</LogonType>',
    '      <RunLevel>LeastPrivilege</RunLevel>',
    '    </Principal>',
    '  </Principals>',
    '  <Settings>',
    '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
    '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>',
    '    <ExecutionTimeLimit>PT10M</ExecutionTimeLimit>',
    '    <Enabled>true</Enabled>',
    '  </Settings>',
    '  <Actions Context="Author">',
    '    <Exec>',
    `      <Command>${xmlEscape(windowsArg(input.nodePath))}</Command>`,
    `      <Arguments>${xmlEscape(args)}</Arguments>`,
    `      <WorkingDirectory>${xmlEscape(input.stateDir)}</WorkingDirectory>`,
    '    </Exec>',
    '  </Actions>',
    '</Task>',
    '',
  ].join('\r\n');
}

/** UTF-16LE with a byte order mark, as schtasks /Create /XML reads it. */
export function encodeWindowsTask(xml: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
}

// ---- Is a service manager there? ---------------------------------------------------------------------

export interface ServiceManagerStatus {
  available: boolean;
  manager: 'systemd' | 'launchd' | 'task-scheduler' | null;
  /** Why not, or what was found: shown by doctor and the wizard. */
  reason: string;
}

/**
 * Linux: systemd must be PID 1 and the user's manager must answer `systemctl --user is-system-running`
 * (a container or WSL1 has neither). macOS: launchd always. Windows: Task Scheduler always.
 */
export async function serviceManagerAvailable(platform: NodeJS.Platform = process.platform): Promise<ServiceManagerStatus> {
  if (platform === 'darwin') return { available: true, manager: 'launchd', reason: 'launchd (macOS)' };
  if (platform === 'win32') return { available: true, manager: 'task-scheduler', reason: 'Task Scheduler (Windows)' };
  if (platform !== 'linux') return { available: false, manager: null, reason: `no supported service manager on ${platform}` };
  const pid1 = (await readFile('/proc/1/comm', 'utf8').catch(() => '')).trim();
  if (pid1 !== 'systemd') {
    return { available: false, manager: null, reason: `PID 1 is ${pid1 ? `"${pid1}"` : 'unknown'}, not systemd (a container, WSL1 or another init)` };
  }
  const state = await runner.run('systemctl', ['--user', 'is-system-running'], { timeoutMs: 5000 });
  const answer = state.stdout.trim();
  if (['running', 'degraded', 'starting', 'initializing'].includes(answer)) {
    return { available: true, manager: 'systemd', reason: `systemd user manager (${answer})` };
  }
  return { available: false, manager: null, reason: `systemd runs, but the user manager does not answer (systemctl --user is-system-running: ${answer || 'no answer'})` };
}

/** Where the service file goes on this platform (a path that is never written where there is none). */
export function autostartPath(paths: { stateDir: string }, platform: NodeJS.Platform = process.platform, home = process.env.HOME || homedir()): string {
  if (platform === 'linux') return systemdUnitPath(home);
  if (platform === 'darwin') return launchAgentPath(home);
  if (platform === 'win32') return join(paths.stateDir, 'glm-codex-proxy.task.xml');
  return join(paths.stateDir, 'autostart.none');
}
