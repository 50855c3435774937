// A fresh copy of the working tree for the end-to-end tests that run npm scripts the way a
// newcomer would: tracked and untracked files, minus ignored ones, sharing node_modules.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export const PROJECT_ROOT = resolve(import.meta.dirname, "../..");

/** Copies the tree into a new directory beside the repository, so it finds ../shared as the repository does. */
export function copyWorkingTree(prefix: string): string {
  const dir = mkdtempSync(join(dirname(PROJECT_ROOT), prefix));
  const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
  })
    .split("\0")
    .filter((file) => file !== "" && file !== "node_modules");
  for (const file of files) {
    try {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      cpSync(join(PROJECT_ROOT, file), join(dir, file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error; // deleted but not yet staged
    }
  }
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}
