/** PEP 440 version parsing and ordering (enough for LiteLLM's releases: N.N.N[{a|b|rc}N][.postN][.devN]). */

export interface Pep440Version {
  release: number[];
  pre: [phase: number, number: number] | null;
  post: number | null;
  dev: number | null;
  text: string;
}

const PATTERN =
  /^v?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d*))?(?:(?:-(\d+))|(?:[-_.]?(?:post|rev|r)[-_.]?(\d*)))?(?:[-_.]?dev[-_.]?(\d*))?(?:\+[a-z0-9.]+)?$/i;

const PRE_PHASE: Record<string, number> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };

export function parsePep440(text: string): Pep440Version | null {
  const match = PATTERN.exec(text.trim());
  if (!match) return null;
  const [, release, prePhase, preNumber, postImplicit, postNumber, devNumber] = match;
  return {
    release: release!.split('.').map(Number),
    pre: prePhase ? [PRE_PHASE[prePhase.toLowerCase()]!, Number(preNumber || 0)] : null,
    post: postImplicit !== undefined ? Number(postImplicit) : postNumber !== undefined ? Number(postNumber || 0) : null,
    dev: devNumber !== undefined ? Number(devNumber || 0) : null,
    text,
  };
}

function compareRelease(a: number[], b: number[]): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

/** Sort key for the part after the release: dev-only < pre < final < post (PEP 440 ordering). */
function suffixKey(v: Pep440Version): number[] {
  const pre = v.pre ? [0, v.pre[0], v.pre[1]] : v.post === null && v.dev !== null ? [-1, 0, 0] : [1, 0, 0];
  const post = v.post === null ? -1 : v.post;
  const dev = v.dev === null ? Number.POSITIVE_INFINITY : v.dev;
  return [...pre, post, dev];
}

export function comparePep440(a: Pep440Version | string, b: Pep440Version | string): number {
  const va = typeof a === 'string' ? parsePep440(a) : a;
  const vb = typeof b === 'string' ? parsePep440(b) : b;
  if (!va || !vb) throw new Error(`not a PEP 440 version: ${String(typeof a === 'string' ? a : b)}`);
  const release = compareRelease(va.release, vb.release);
  if (release !== 0) return release;
  const ka = suffixKey(va);
  const kb = suffixKey(vb);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return Math.sign(ka[i]! - kb[i]!);
  return 0;
}
