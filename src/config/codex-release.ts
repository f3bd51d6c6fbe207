/** Which Codex release a `codex --version` semver is at least: every version gate reads it the same way. */

/** `0.<minor>` or newer (any 1.x and later counts as newer). */
export function codexAtLeast(version: string, minor: number): boolean {
  const [major = 0, found = 0] = version.split('.').map((part) => Number.parseInt(part, 10));
  return major > 0 || found >= minor;
}
