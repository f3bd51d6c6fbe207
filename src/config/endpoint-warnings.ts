/** Warnings about an endpoint that is valid but unwise. */

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

export function endpointWarnings(apiBase: string): string[] {
  let url: URL;
  try {
    url = new URL(apiBase);
  } catch {
    return [];
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    return [
      `The endpoint ${url.origin} is plain http:// to another machine: the Z.ai key and everything Codex sends (prompts, your files) would cross the network unencrypted. Use https:// unless it is a gateway you trust on your own network.`,
    ];
  }
  return [];
}
