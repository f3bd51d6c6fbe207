/**
 * The proxy key for Codex in every new terminal: 0600 files that export it (codex-env.sh/.fish)
 * and a marked block in each shell's startup file that sources them.
 */
import { hasBlock, removeBlock, renderKeyEnv, upsertBlock } from '../config/shell-env.js';
import type { Answers } from './answers.js';
import { deleteOp, writeOp, type Operation } from './operations.js';
import { tildify } from '../paths.js';
import { fail, pass, warn, type Check } from '../verify/check.js';
import type { Unit } from './types.js';
import { cli } from '../invocation.js';

export const shellEnvUnit: Unit<Answers> = {
  id: 'shell-env',
  plan(input) {
    const { state, mode, answers, provider } = input;
    // Codex runs the auth command instead: the shell blocks and key files of an earlier setup go.
    if (provider.auth.command) return { operations: shellEnvUnit.undo(state, provider), remember: { rcFiles: [] } };
    const ops: Operation[] = [];
    const { envVar } = provider.auth;
    const key = mode.codexKey(answers);
    for (const kind of ['sh', 'fish'] as const) {
      const file = state.keyEnvFiles[kind];
      const wanted = kind === 'sh' || (answers.shellRc && state.rcFiles.some((rc) => rc.kind === 'fish'));
      if (!wanted) continue;
      const exposed = file.mode !== null && file.mode !== 0o600;
      ops.push(...writeOp(`key for shells (${kind})`, file.path, file.text, renderKeyEnv(kind, envVar, key.value, key.what), { secret: true, mode: 0o600, always: exposed }));
    }
    const rcFiles = new Set(state.manifest.rcFiles ?? []);
    const createdDirs = new Set(state.manifest.createdDirs ?? []);
    if (answers.shellRc) {
      for (const rc of state.rcFiles) {
        rcFiles.add(rc.path);
        for (const dir of rc.text === null ? (rc.missingDirs ?? []) : []) createdDirs.add(dir);
        ops.push(...writeOp(`${rc.shell} startup file`, rc.path, rc.text, upsertBlock(rc.text, rc.kind, state.keyEnvFiles[rc.kind].path)));
      }
    }
    return { operations: ops, remember: { rcFiles: [...rcFiles].sort(), ...(createdDirs.size > 0 ? { createdDirs: [...createdDirs].sort() } : {}) } };
  },
  undo(state) {
    const created = new Set(state.manifest.createdFiles ?? []);
    const ops: Operation[] = [];
    // Every candidate, not today's detection: a block in a ~/.profile the tool created stays found after a ~/.bash_profile appears.
    for (const rc of state.rcCandidates) {
      if (rc.text === null) continue;
      const after = removeBlock(rc.text);
      if (after === rc.text) continue;
      if (created.has(rc.path) && after.trim() === '') {
        ops.push(...deleteOp(`${rc.shell} startup file (created by the tool)`, rc.path, rc.text));
        // The folders made for it go too, once empty (deepest first); one that holds anything stays.
        const dirs = (state.manifest.createdDirs ?? []).filter((dir) => rc.path.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
        if (dirs.length > 0) ops.push({ kind: 'run', action: 'remove-empty-dirs', dirs, label: `remove the empty folders made for it (${dirs.map((d) => tildify(d)).join(', ')})` });
      } else ops.push(...writeOp(`${rc.shell} startup file`, rc.path, rc.text, after));
    }
    // No backup: a backup of a key is a key (secrets.env keeps it while the user wants it kept).
    for (const file of [state.keyEnvFiles.sh, state.keyEnvFiles.fish]) ops.push(...deleteOp('key for shells', file.path, file.text, true, { backup: false }));
    return ops;
  },
  check({ state, mode, answers, provider }) {
    if (provider.auth.command) {
      const left = state.rcFiles.filter((rc) => hasBlock(rc.text)).map((rc) => tildify(rc.path));
      return left.length > 0 ? [warn('shell', `Shell startup files still load a key file (${left.join(', ')}); Codex uses its auth command now.`, 'Run glm-codex-setup to remove them.')] : [];
    }
    const checks: Check[] = [];
    const { envVar } = provider.auth;
    const key = mode.codexKey(answers);
    const keyFile = state.keyEnvFiles.sh;
    if (key.value && keyFile.text !== renderKeyEnv('sh', envVar, key.value, key.what)) {
      checks.push(fail('codex-key', `${tildify(keyFile.path)} does not hold ${key.what}: Codex would send a key that is refused.`));
    } else if (key.value) {
      checks.push(pass('codex-key', `${envVar} for Codex matches ${key.what}`));
    }
    const rcPaths = state.manifest.rcFiles ?? [];
    if (rcPaths.length > 0) {
      const missing = state.rcFiles.filter((rc) => rcPaths.includes(rc.path) && !hasBlock(rc.text));
      checks.push(
        missing.length === 0
          ? pass('shell', `New shells load ${envVar} (${rcPaths.map((p) => tildify(p)).join(', ')})`)
          : fail('shell', `The key block is missing from ${missing.map((rc) => tildify(rc.path)).join(', ')}: new terminals cannot use the profile.`),
      );
    } else {
      checks.push(warn('shell', `No shell startup file loads ${envVar}: run \`. ${tildify(keyFile.path)}\` in each terminal before \`codex --profile ${provider.profile}\`.`, `Run ${cli()} without --no-shell-rc.`));
    }
    return checks;
  },
};
