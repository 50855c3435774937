// `*.unit.test.ts` files share one workerd across files (vitest.config.ts, decision 058), so none may
// reach the test bindings or their storage: no `cloudflare:` import in the file or in any test
// helper it imports, however indirectly. A file that needs bindings is a plain `*.test.ts`.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const testsDir = join(root, "tests");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).map((f) => join(dir, f));
}

function importsOf(file: string): string[] {
  const source = readFileSync(file, "utf8");
  return [...source.matchAll(/(?:from|import)\s+"([^"]+)"/g)].map((m) => m[1] as string);
}

/** The chain of test modules from `file` to a `cloudflare:` import, or null when there is none. */
function bindingPath(file: string, seen = new Set<string>()): string[] | null {
  if (seen.has(file)) return null;
  seen.add(file);
  for (const specifier of importsOf(file)) {
    if (specifier.startsWith("cloudflare:")) return [relative(root, file), specifier];
    if (!specifier.startsWith(".")) continue;
    const target = resolve(dirname(file), specifier);
    // Production modules are what the unit tests exercise; only the tests' own helpers are followed.
    if (!target.startsWith(testsDir)) continue;
    const rest = bindingPath(target, seen);
    if (rest) return [relative(root, file), ...rest];
  }
  return null;
}

describe("unit test files reach no binding", () => {
  const unitFiles = filesUnder(testsDir).filter((f) => f.endsWith(".unit.test.ts"));

  it("follows a helper through another to its binding, so the check below can fail", () => {
    const chain = bindingPath(join(testsDir, "support/ingest.ts"));
    expect(chain).toEqual([
      "tests/support/ingest.ts",
      "tests/support/world.ts",
      expect.stringMatching(/^cloudflare:/),
    ]);
  });

  it("every *.unit.test.ts imports no cloudflare: module, directly or through test helpers", () => {
    expect(unitFiles.length).toBeGreaterThan(0);
    const offending = unitFiles.map((f) => bindingPath(f)).filter((p): p is string[] => p !== null);
    expect(offending.map((p) => p.join(" → "))).toEqual([]);
  });
});
