// The layering rule (schema ← domain ← durable-objects ← workers, app) is a lint error. This
// runs the project's own Biome config over files placed in each layer of a scratch tree.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

interface Case {
  path: string;
  source: string;
  allowed: boolean;
}

const root = resolve(import.meta.dirname, "../..");
const cases = JSON.parse(
  readFileSync(join(root, "tests/fixtures/import-direction/cases.json"), "utf8"),
) as Case[];
const scratch = mkdtempSync(join(tmpdir(), "phoenix-imports-"));
cpSync(join(root, "biome.json"), join(scratch, "biome.json"));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function lint(c: Case): { status: number | null; output: string } {
  const file = join(scratch, c.path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, c.source);
  const result = spawnSync(join(root, "node_modules/.bin/biome"), ["lint", "--vcs-enabled=false", c.path], {
    cwd: scratch,
    encoding: "utf8",
  });
  rmSync(file);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("import direction is enforced by npm run lint", () => {
  for (const c of cases) {
    it(`${c.allowed ? "allows" : "refuses"}: ${c.path} ${c.source.split("\n")[0]}`, () => {
      const { status, output } = lint(c);
      if (c.allowed) {
        expect(output).not.toContain("noRestrictedImports");
        expect(status).toBe(0);
      } else {
        expect(output).toContain("noRestrictedImports");
        expect(status).not.toBe(0);
      }
    });
  }
});
