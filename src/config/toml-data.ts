/** Plain-data helpers for parsed TOML: immutable updates and a strict equality. */
import type { TomlData } from './toml-syntax.js';

type Path = readonly string[];

function isTable(value: unknown): value is TomlData {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

export function getIn(data: TomlData, path: Path): unknown {
  let current: unknown = data;
  for (const segment of path) {
    if (!isTable(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

export function setIn(data: TomlData, path: Path, value: unknown): TomlData {
  const [head, ...rest] = path;
  if (head === undefined) return data;
  const child = Object.hasOwn(data, head) ? data[head] : undefined;
  const next = rest.length === 0 ? value : setIn(isTable(child) ? child : {}, rest, value);
  return { ...data, [head]: next };
}

export function deleteIn(data: TomlData, path: Path): TomlData {
  const [head, ...rest] = path;
  if (head === undefined || !Object.hasOwn(data, head)) return data;
  if (rest.length === 0) {
    const { [head]: _removed, ...others } = data;
    return others;
  }
  const child = data[head];
  if (!isTable(child)) return data;
  return { ...data, [head]: deleteIn(child, rest) };
}

/** Removes tables along `path` that became empty, innermost first. */
export function pruneEmptyAncestors(data: TomlData, path: Path): TomlData {
  let result = data;
  for (let depth = path.length - 1; depth >= 1; depth--) {
    const ancestor = path.slice(0, depth);
    const value = getIn(result, ancestor);
    if (isTable(value) && Object.keys(value).length === 0) result = deleteIn(result, ancestor);
  }
  return result;
}

export function tomlDataEqual(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && String(a) === String(b) && a.getTime() === b.getTime();
  }
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) || a === b;
  if (typeof a === 'bigint' || typeof b === 'bigint') return typeof a === typeof b && a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => tomlDataEqual(item, b[i]));
  }
  if (isTable(a) || isTable(b)) {
    if (!isTable(a) || !isTable(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && tomlDataEqual(a[key], b[key]));
  }
  return a === b;
}
