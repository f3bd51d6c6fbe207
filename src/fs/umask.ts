/**
 * No group- or world-writable file or folder from this process or its children (python -m venv,
 * pip, LiteLLM's log): under `umask 000` a venv would be writable by every user, which is code
 * execution for anyone. Files the tool writes get explicit modes anyway; this covers the rest.
 */
export function restrictUmask(): void {
  const current = process.umask(0o022);
  process.umask(current | 0o022);
}
