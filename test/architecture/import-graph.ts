/**
 * The import graph of src/ (static `import … from` / `export … from`), read with the TypeScript
 * parser so multi-line and type-only imports are told apart correctly.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  from: string;
  to: string;
  /** `import type …` or every named binding marked `type`: erased at run time. */
  typeOnly: boolean;
}

export function sourceFiles(root: string): string[] {
  return readdirSync(root, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.split('\\').join('/'))
    .sort();
}

/** Edges between files under `root` (paths relative to it); imports of packages are left out. */
export function importGraph(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(root)) {
    const text = readFileSync(join(root, file), 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
    for (const st of sf.statements) {
      let spec: string | undefined;
      let typeOnly = false;
      if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
        spec = st.moduleSpecifier.text;
        const clause = st.importClause;
        const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
        typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
        spec = st.moduleSpecifier.text;
        const named = st.exportClause && ts.isNamedExports(st.exportClause) ? st.exportClause.elements : undefined;
        typeOnly = st.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly));
      }
      if (!spec?.startsWith('.')) continue;
      const target = relative(root, resolve(root, dirname(file), spec))
        .split('\\')
        .join('/')
        .replace(/\.js$/, '.ts');
      edges.push({ from: file, to: target, typeOnly });
    }
  }
  return edges;
}

/** Every elementary cycle found by a depth-first search (one per back edge), as file paths. */
export function findCycles(edges: readonly ImportEdge[]): string[][] {
  const out = new Map<string, string[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (n: string): void => {
    state.set(n, 'visiting');
    stack.push(n);
    for (const m of out.get(n) ?? []) {
      const s = state.get(m);
      if (s === 'visiting') cycles.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!s) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of [...out.keys()].sort()) if (!state.has(n)) visit(n);
  return cycles;
}
