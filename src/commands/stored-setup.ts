/** What `usage` and `status` need of the last setup: state.json and the keys, nothing else looked at. */
import { parseManifest, type Manifest } from '../config/manifest.js';
import { parseSecrets, type Secrets } from '../config/secrets.js';
import { readTextIfExists } from '../fs/read.js';
import type { Paths } from '../paths.js';

export async function readStoredSetup(paths: Paths): Promise<{ manifest: Manifest; secrets: Secrets }> {
  const [manifest, secrets] = await Promise.all([readTextIfExists(paths.manifest), readTextIfExists(paths.secrets)]);
  return { manifest: parseManifest(manifest), secrets: parseSecrets(secrets ?? '').secrets };
}
