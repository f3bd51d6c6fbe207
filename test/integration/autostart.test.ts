/**
 * The login-service files (systemd user unit, macOS LaunchAgent, Windows logon task) as their service
 * managers read them: the unit checked by `systemd-analyze --user verify` (any line on stderr fails),
 * its ExecStart run exactly as written with the EnvironmentFile's variables, the plist read by plistlib
 * and its ProgramArguments run as launchd would, the task XML parsed. Real LiteLLM, no Z.ai needed:
 * the proxy only has to answer /health/readiness.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeWindowsTask,
  LAUNCH_AGENT_LABEL,
  renderLaunchAgent,
  renderSystemdUnit,
  renderWindowsTask,
  serviceManagerAvailable,
  systemdExecWord,
  systemdExecutable,
  type AutostartInput,
} from '../../src/config/autostart.js';
import { parseSecrets } from '../../src/config/secrets.js';
import { findFreePort } from '../../src/runtime/ports.js';
import { waitForReady } from '../../src/verify/validate.js';
import { runCli, sandbox, type Sandbox } from '../helpers/cli.js';
import { latestVenv } from '../helpers/litellm.js';
import { parseEnvironmentFile, parseEnvironmentSetting, readPlist, splitExecStart, unitSettings, xmlSummary } from '../helpers/service-files.js';
import { tempDir } from '../helpers/tmp.js';

let box: Sandbox;
let input: AutostartInput;
let secretValues: string[];
const children: ChildProcess[] = [];

beforeAll(async () => {
  box = await sandbox();
  const setup = await runCli(box, ['--non-interactive', '--no-start', '--no-shell-rc', '--endpoint', 'general'], { env: { ZAI_API_KEY: 'zai-autostart-key.0123456789' } });
  expect(setup.exitCode, setup.all).toBe(0);
  const secretsFile = join(box.stateDir, 'secrets.env');
  secretValues = Object.values(parseSecrets(await readFile(secretsFile, 'utf8')).secrets);
  input = {
    stateDir: box.stateDir,
    launcher: [join(latestVenv(), 'bin', 'litellm')],
    bridgeConfig: join(box.stateDir, 'glm-bridge.yaml'),
    port: await findFreePort(29500),
    secretsFile,
    logFile: join(box.stateDir, 'proxy.log'),
  };
});

afterAll(async () => {
  for (const child of children) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

/** Starts argv in its own process group (so the test can kill all of it), env as given, nothing inherited. */
function launch(argv: string[], env: Record<string, string>, cwd: string): ChildProcess {
  const child = spawn(argv[0]!, argv.slice(1), { cwd, env, detached: true, stdio: 'ignore' });
  children.push(child);
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
}

describe('systemd user unit', () => {
  it('passes systemd-analyze --user verify with nothing on stderr', async () => {
    const dir = await tempDir('glm-unit-');
    const runtime = join(dir, 'runtime');
    await mkdir(runtime, { mode: 0o700 });
    await chmod(runtime, 0o700);
    const unitPath = join(dir, 'glm-codex-proxy.service');
    await writeFile(unitPath, renderSystemdUnit(input));
    const result = await execa('systemd-analyze', ['--user', 'verify', unitPath], {
      env: { XDG_RUNTIME_DIR: runtime, HOME: box.home, PATH: '/usr/bin:/bin' },
      extendEnv: false,
      reject: false,
    });
    expect(result.stderr, 'systemd-analyze printed warnings').toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('systemd-analyze does catch a broken unit (the check above can fail)', async () => {
    const dir = await tempDir('glm-unit-');
    const runtime = join(dir, 'runtime');
    await mkdir(runtime, { mode: 0o700 });
    const unitPath = join(dir, 'glm-codex-proxy.service');
    await writeFile(unitPath, renderSystemdUnit({ ...input, launcher: [join(dir, 'no-such-litellm')] }).replace('RestartSec=', 'RestartSecs='));
    const result = await execa('systemd-analyze', ['--user', 'verify', unitPath], { env: { XDG_RUNTIME_DIR: runtime, PATH: '/usr/bin:/bin' }, extendEnv: false, reject: false });
    expect(result.stderr).toContain("Unknown key 'RestartSecs'");
    expect(result.stderr).toContain('no-such-litellm');
  });

  it('holds no secret, absolute paths only, and the settings the proxy needs', () => {
    const unit = renderSystemdUnit(input);
    for (const value of secretValues) expect(unit).not.toContain(value);
    const settings = unitSettings(unit);
    expect(settings.get('EnvironmentFile')).toBe(input.secretsFile);
    expect(settings.get('WorkingDirectory')).toBe(input.stateDir);
    expect(settings.get('Restart')).toBe('on-failure');
    // Back a second after a crash; a proxy that cannot start: 5 tries in 2 minutes, not a loop.
    expect(settings.get('RestartSec')).toBe('1');
    expect([settings.get('StartLimitIntervalSec'), settings.get('StartLimitBurst')]).toEqual(['120', '5']);
    expect(parseEnvironmentSetting(settings.get('Environment')!)).toEqual({ PYTHONUNBUFFERED: '1', LITELLM_LOCAL_MODEL_COST_MAP: 'True', LITELLM_TELEMETRY: 'False' });
    expect(splitExecStart(settings.get('ExecStart')!)).toEqual([input.launcher[0], '--config', input.bridgeConfig, '--host', '127.0.0.1', '--port', String(input.port)]);
  });

  it('a state dir with $ passes systemd-analyze verify; one with a quote, backslash or tab is refused as a usage error', async () => {
    const dir = await tempDir('glm-unit-');
    const runtime = join(dir, 'runtime');
    await mkdir(runtime, { mode: 0o700 });
    const stateDir = join(dir, 'st$te 100%');
    await mkdir(stateDir);
    await writeFile(join(stateDir, 'litellm'), '#!/bin/sh\n', { mode: 0o755 });
    const odd = { ...input, stateDir, launcher: [join(stateDir, 'litellm')], bridgeConfig: join(stateDir, 'b.yaml'), secretsFile: input.secretsFile, logFile: join(stateDir, 'p.log') };
    const unitPath = join(dir, 'glm-codex-proxy.service');
    await writeFile(unitPath, renderSystemdUnit(odd));
    const result = await execa('systemd-analyze', ['--user', 'verify', unitPath], { env: { XDG_RUNTIME_DIR: runtime, HOME: box.home, PATH: '/usr/bin:/bin' }, extendEnv: false, reject: false });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    for (const bad of ['/s/a"b/litellm', "/s/a'b/litellm", '/s/a\\b/litellm', '/s/a\tb/litellm']) {
      expect(() => systemdExecutable(bad)).toThrow(expect.objectContaining({ exitCode: 2, fix: expect.stringContaining('--state-dir') }));
    }
  });

  it('quotes paths with spaces, quotes, % and $ so systemd reads them back unchanged', () => {
    for (const word of ['/home/a b/x', '/odd/"q"/x', '/p/100%/x', '/p/$HOME/x', '/p/back\\slash']) {
      expect(splitExecStart(systemdExecWord(word))).toEqual([word]);
    }
  });

  it("its ExecStart, run exactly as written with the EnvironmentFile's variables, starts a proxy that answers", async () => {
    const settings = unitSettings(renderSystemdUnit(input));
    const env: Record<string, string> = {
      HOME: box.home,
      PATH: '/usr/bin:/bin',
      ...parseEnvironmentSetting(settings.get('Environment')!),
      ...parseEnvironmentFile(await readFile(settings.get('EnvironmentFile')!, 'utf8')),
    };
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['ZAI_API_KEY', 'LITELLM_MASTER_KEY']));
    const child = launch(splitExecStart(settings.get('ExecStart')!), env, settings.get('WorkingDirectory')!);
    try {
      await waitForReady(input.port, { timeoutMs: 180_000, isAlive: () => child.exitCode === null });
      const health = await fetch(`http://127.0.0.1:${input.port}/health/readiness`);
      expect(health.status).toBe(200);
      // The key came from the EnvironmentFile: the proxy accepts it.
      const models = await fetch(`http://127.0.0.1:${input.port}/v1/models`, { headers: { authorization: `Bearer ${env.LITELLM_MASTER_KEY}` } });
      expect(models.status).toBe(200);
    } finally {
      await stopChild(child);
    }
  });
});

describe('macOS LaunchAgent', () => {
  it('plistlib reads it; Label, absolute ProgramArguments, RunAtLoad, KeepAlive, paths; no secret', async () => {
    const plist = renderLaunchAgent(input);
    for (const value of secretValues) expect(plist).not.toContain(value);
    const path = join(await tempDir('glm-plist-'), `${LAUNCH_AGENT_LABEL}.plist`);
    await writeFile(path, plist);
    const data = await readPlist(path);
    expect(data.Label).toBe(LAUNCH_AGENT_LABEL);
    expect(data.RunAtLoad).toBe(true);
    expect(data.KeepAlive).toBe(true);
    expect(data.WorkingDirectory).toBe(input.stateDir);
    expect(data.StandardOutPath).toBe(input.logFile);
    expect(data.StandardErrorPath).toBe(input.logFile);
    const args = data.ProgramArguments as string[];
    expect(args[0]).toBe('/bin/sh');
    expect(args[3]).toBe(input.secretsFile);
    expect(args.slice(4)).toEqual([input.launcher[0], '--config', input.bridgeConfig, '--host', '127.0.0.1', '--port', String(input.port)]);
    for (const arg of [args[0], args[3], args[4], input.bridgeConfig]) expect(arg!.startsWith('/')).toBe(true);
    expect(Object.keys(data).sort()).toEqual(
      ['EnvironmentVariables', 'KeepAlive', 'Label', 'ProgramArguments', 'RunAtLoad', 'StandardErrorPath', 'StandardOutPath', 'WorkingDirectory'].sort(),
    );
  });

  it('its ProgramArguments, run as launchd runs them, load the keys from secrets.env and start a proxy that answers', async () => {
    const port = await findFreePort(input.port + 1);
    const path = join(await tempDir('glm-plist-'), `${LAUNCH_AGENT_LABEL}.plist`);
    await writeFile(path, renderLaunchAgent({ ...input, port }));
    const data = await readPlist(path);
    const env = { HOME: box.home, PATH: '/usr/bin:/bin', ...(data.EnvironmentVariables as Record<string, string>) };
    const child = launch(data.ProgramArguments as string[], env, data.WorkingDirectory as string);
    try {
      await waitForReady(port, { timeoutMs: 180_000, isAlive: () => child.exitCode === null });
      const { LITELLM_MASTER_KEY } = parseSecrets(await readFile(input.secretsFile, 'utf8')).secrets;
      const models = await fetch(`http://127.0.0.1:${port}/v1/models`, { headers: { authorization: `Bearer ${LITELLM_MASTER_KEY}` } });
      expect(models.status).toBe(200);
    } finally {
      await stopChild(child);
    }
  });
});

describe('Windows logon task', () => {
  it('is well-formed XML (UTF-16) with a logon trigger for the user, least privilege, and the app copy started', async () => {
    const xml = renderWindowsTask({
      userId: 'DESKTOP-1\\Ada Lovelace',
      nodePath: 'C:\\Program Files\\nodejs\\node.exe',
      appBin: 'C:\\Users\\Ada Lovelace\\.glm-codex\\app\\bin\\glm-codex-setup.js',
      stateDir: 'C:\\Users\\Ada Lovelace\\.glm-codex',
    });
    const path = join(await tempDir('glm-task-'), 'task.xml');
    await writeFile(path, encodeWindowsTask(xml));
    const summary = (await xmlSummary(
      path,
      [
        'ns = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}',
        'text = lambda p: [e.text for e in root.findall(p, ns)]',
        'print(json.dumps({',
        '  "tag": root.tag,',
        '  "logonUsers": text("t:Triggers/t:LogonTrigger/t:UserId"),',
        '  "otherTriggers": [e.tag for e in root.find("t:Triggers", ns) if not e.tag.endswith("LogonTrigger")],',
        '  "runLevel": text("t:Principals/t:Principal/t:RunLevel"),',
        '  "logonType": text("t:Principals/t:Principal/t:LogonType"),',
        '  "command": text("t:Actions/t:Exec/t:Command"),',
        '  "arguments": text("t:Actions/t:Exec/t:Arguments"),',
        '}))',
      ].join('\n'),
    )) as Record<string, string[] | string>;
    expect(summary.tag).toBe('{http://schemas.microsoft.com/windows/2004/02/mit/task}Task');
    expect(summary.logonUsers).toEqual(['DESKTOP-1\\Ada Lovelace']);
    expect(summary.otherTriggers).toEqual([]);
    expect(summary.runLevel).toEqual(['LeastPrivilege']);
    expect(summary.logonType).toEqual(['InteractiveToken']);
    expect(xml).not.toContain('HighestAvailable');
    expect(summary.command).toEqual(['"C:\\Program Files\\nodejs\\node.exe"']);
    expect(summary.arguments).toEqual(['"C:\\Users\\Ada Lovelace\\.glm-codex\\app\\bin\\glm-codex-setup.js" start --state-dir "C:\\Users\\Ada Lovelace\\.glm-codex"']);
  });
});

describe('service manager detection', () => {
  it('says why there is none when PID 1 is not systemd (this machine), and finds launchd / Task Scheduler by platform', async () => {
    const pid1 = (await readFile('/proc/1/comm', 'utf8')).trim();
    const linux = await serviceManagerAvailable('linux');
    if (pid1 !== 'systemd') {
      expect(linux).toEqual({ available: false, manager: null, reason: expect.stringContaining(`PID 1 is "${pid1}", not systemd`) });
    } else {
      expect(linux.manager === 'systemd' || linux.reason.includes('user manager')).toBe(true);
    }
    expect((await serviceManagerAvailable('darwin')).manager).toBe('launchd');
    expect((await serviceManagerAvailable('win32')).manager).toBe('task-scheduler');
  });
});
