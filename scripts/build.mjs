// Bundles src/ into dist/: one entry plus lazily loaded chunks, so `--version` and `--help`
// load almost nothing, and the published package needs no runtime dependencies.
// dist/ is replaced file by file (a temporary file renamed over each one), never removed first: a
// program running from dist/ meanwhile (a test beside `npm start`, which rebuilds) always finds
// whole files; the build is deterministic, so a rebuild of the same source rewrites the same bytes.
import { build } from 'esbuild';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'dist');
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.18',
  minify: true,
  legalComments: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  define: { __VERSION__: JSON.stringify(pkg.version) },
  // Some bundled dependencies are CommonJS and call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
  write: false,
});

const written = new Set();
for (const file of result.outputFiles) {
  await mkdir(dirname(file.path), { recursive: true });
  const temp = `${file.path}.${process.pid}.tmp`;
  await writeFile(temp, file.contents);
  await rename(temp, file.path);
  written.add(relative(outdir, file.path));
}

// What an earlier build left that this one did not write (chunks of older sources).
async function files(dir) {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(entries.map((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)])));
  return nested.flat();
}
for (const path of await files(outdir)) {
  const rel = relative(outdir, path);
  // Another build's temporary files are its own to rename.
  if (!written.has(rel) && !/\.\d+\.tmp$/.test(rel)) await rm(path, { force: true });
}
