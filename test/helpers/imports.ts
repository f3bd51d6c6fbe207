/**
 * The import graph of src/: every file's imports (value, type, re-export and dynamic `import()`),
 * read with the TypeScript compiler's own pre-processor, resolved to files relative to the repository.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export const ROOT = resolve(import.meta.dirname, '..', '..');

export interface SourceFile {
  /** Relative to the repository, with forward slashes: `src/runtime/proxy.ts`. */
  path: string;
  text: string;
  /** Module specifiers as written. */
  specifiers: string[];
  /** The src/ files it imports (resolved). */
  imports: string[];
}

export function sourceFiles(dir = 'src'): SourceFile[] {
  const files = readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
  return files.map((path) => {
    const text = readFileSync(join(ROOT, path), 'utf8');
    const specifiers = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
    const imports = specifiers
      .filter((s) => s.startsWith('.'))
      .map((s) => relative(ROOT, resolve(ROOT, dirname(path), s.replace(/\.js$/, '.ts'))).split('\\').join('/'))
      .filter((target) => existsSync(join(ROOT, target)));
    return { path, text, specifiers, imports: [...new Set(imports)] };
  });
}

/** The strongly connected components with more than one member (or a self-loop): the cycles. */
export function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    indices.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, indices.get(next)!));
      }
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.has(node)) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indices.has(node)) visit(node);
  return found;
}
