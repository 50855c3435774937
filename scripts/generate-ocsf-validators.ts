// Compiles the OCSF JSON Schemas in ../shared/ocsf into Ajv standalone ES modules under
// domain/ocsf/generated/ (gitignored). Ajv compiles with `new Function`, which workerd forbids, so the
// Worker validates with code generated here, in Node: by `npm start`, `npm run build` and the tests.
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";

// The x-ocsf-* annotations the OCSF README lists; registered so Ajv's strict mode accepts them.
const OCSF_KEYWORDS = [
  "x-ocsf-class",
  "x-ocsf-source",
  "x-ocsf-recommended",
  "x-ocsf-profile-attributes",
  "x-ocsf-requirement",
  "x-ocsf-type",
  "x-ocsf-object",
  "x-ocsf-profiles",
  "x-ocsf-enum",
  "x-ocsf-sibling",
  "x-ocsf-deprecated",
  "x-ocsf-constraint",
  "x-ocsf-profile",
];

const SCHEMAS = [
  { schemaFile: "detection_finding.schema.json", moduleFile: "detection-finding.validate.js" },
  { schemaFile: "incident_finding.schema.json", moduleFile: "incident-finding.validate.js" },
] as const;

// Bump when the emitted code changes shape, so stale modules are regenerated.
const GENERATOR_VERSION = "1";

/**
 * Writes `domain/ocsf/generated/*.validate.js` for the schemas in `<repoRoot>/../shared/ocsf/`.
 * A module is rewritten only when its schema (or this generator) changed, keeping start-up fast.
 */
export async function generateOcsfValidators(repoRoot: string): Promise<void> {
  const schemaDir = resolve(repoRoot, "../shared/ocsf");
  const outDir = resolve(repoRoot, "domain/ocsf/generated");
  await mkdir(outDir, { recursive: true });

  for (const { schemaFile, moduleFile } of SCHEMAS) {
    const schemaText = await readFile(join(schemaDir, schemaFile), "utf8");
    const stamp = `// ocsf-validator ${createHash("sha256").update(`${GENERATOR_VERSION}\n${schemaText}`).digest("hex")}`;
    const outPath = join(outDir, moduleFile);
    const existing = await readFile(outPath, "utf8").catch(() => "");
    if (existing.startsWith(`${stamp}\n`)) continue;

    const ajv = new Ajv2020({ allErrors: true, strictRequired: false, code: { source: true, esm: true } });
    ajv.addVocabulary(OCSF_KEYWORDS);
    const code = standaloneCode(ajv, ajv.compile(JSON.parse(schemaText)));
    // Other vitest processes may be reading it: write aside, then rename, so nobody sees half a file.
    const tmpPath = `${outPath}.${process.pid}.tmp`;
    await writeFile(tmpPath, `${stamp}\n${esmRuntimeImports(code)}`);
    await rename(tmpPath, outPath);
  }
}

/**
 * Ajv's standalone output still pulls its runtime helpers (ucs2length, equal, ...) with `require()`,
 * which does not exist in workerd's ES modules; turn each into a static import the bundler resolves.
 */
export function esmRuntimeImports(code: string): string {
  const specifiers = [...new Set(Array.from(code.matchAll(/require\("([^"]+)"\)/g), (m) => m[1] as string))];
  if (specifiers.length === 0) return code;
  const imports = specifiers.map((spec, i) => `import * as ajvRuntime${i} from "${spec}.js";`);
  let body = code;
  specifiers.forEach((spec, i) => {
    body = body.replaceAll(`require("${spec}")`, `cjsExports(ajvRuntime${i})`);
  });
  // A CommonJS module may arrive as { default: module.exports } or with its exports spread on the namespace.
  const interop =
    'function cjsExports(ns) { const d = ns.default; return d && typeof d === "object" && "default" in d ? d : ns; }';
  return `${imports.join("\n")}\n${interop}\n${body}`;
}

// `node scripts/generate-ocsf-validators.ts` (npm run build) generates for this checkout.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await generateOcsfValidators(resolve(import.meta.dirname, ".."));
}
