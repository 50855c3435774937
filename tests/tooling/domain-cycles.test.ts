// domain/ has no import cycle: not between files, and not between its folders (a file at the top of
// domain/ counts as a node of its own, like a folder). A cycle is named with the imports that close
// it, so whoever adds one sees where to cut.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const DOMAIN = resolve(import.meta.dirname, "../../domain");
const IMPORT = /(?:from|import)\s*["'](\.{1,2}\/[^"']+)["']/g;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

function fileGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of files(DOMAIN)) {
    const deps = new Set<string>();
    for (const [, spec] of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const target = normalize(join(dirname(file), spec as string));
      if (target.startsWith(DOMAIN)) deps.add(target);
    }
    graph.set(file, deps);
  }
  return graph;
}

/** Tarjan's strongly connected components: every component of more than one node is a cycle. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
        onStack.delete(w);
        component.push(w);
        if (w === v) break;
      }
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const name = (path: string) => relative(DOMAIN, path) || ".";

describe("domain/ imports form no cycle", () => {
  const graph = fileGraph();

  it("reads the domain's files and their imports", () => {
    const imports = [...graph.values()].reduce((n, deps) => n + deps.size, 0);
    expect(graph.size).toBeGreaterThan(50);
    expect(imports).toBeGreaterThan(100);
  });

  it("between files", () => {
    expect(cycles(graph).map((c) => c.map(name))).toEqual([]);
  });

  it("between folders", () => {
    const nodeOf = (file: string) => (dirname(file) === DOMAIN ? file : dirname(file));
    const folders = new Map<string, Set<string>>();
    const why = new Map<string, string>();
    for (const [from, deps] of graph) {
      for (const to of deps) {
        const [a, b] = [nodeOf(from), nodeOf(to)];
        if (a === b) continue;
        folders.set(a, (folders.get(a) ?? new Set()).add(b));
        why.set(`${a}>${b}`, `${name(from)} imports ${name(to)}`);
      }
    }
    const found = cycles(folders).map((members) =>
      members.flatMap((a) =>
        [...(folders.get(a) ?? [])].filter((b) => members.includes(b)).map((b) => why.get(`${a}>${b}`)),
      ),
    );
    expect(found).toEqual([]);
  });
});
