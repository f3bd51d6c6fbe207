import { execFileSync } from 'node:child_process';

/** The CLI tests run the real bundle (dist/), exactly what npm would install. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
