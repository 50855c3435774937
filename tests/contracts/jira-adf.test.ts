// Comment bodies Phoenix sends to Jira (REST v3) are ADF documents that must validate against
// Atlassian's published schema (shared/contracts/jira/adf), and say what the Markdown said.
// Runs in Node: Ajv compiles the schema to code, which workerd does not allow.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Ajv from "ajv-draft-04";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { markdownAsAdf } from "../../domain/sinks/jira/adf.ts";

const schemaPath = fileURLToPath(
  new URL("../../../shared/contracts/jira/adf/adf-schema-v1-full.json", import.meta.url),
);
const validate = new Ajv({ allErrors: true, strict: false }).compile(
  JSON.parse(readFileSync(schemaPath, "utf8")),
);

function errorsOf(doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** Every text node's text, in order: what a reader of the Jira comment sees. */
function textOf(node: unknown): string {
  if (typeof node !== "object" || node === null) return "";
  const n = node as { text?: string; content?: unknown[] };
  return (n.text ?? "") + (n.content ?? []).map(textOf).join("");
}

function marksOf(node: unknown, found = new Set<string>()): Set<string> {
  if (typeof node !== "object" || node === null) return found;
  const n = node as {
    type?: string;
    marks?: Array<{ type: string; attrs?: { href?: string } }>;
    content?: unknown[];
  };
  if (n.type) found.add(n.type);
  for (const m of n.marks ?? []) found.add(m.attrs?.href ? `${m.type}:${m.attrs.href}` : m.type);
  for (const c of n.content ?? []) marksOf(c, found);
  return found;
}

describe("Markdown comments as ADF", () => {
  it("keeps paragraphs, emphasis, code, lists and links, and validates", () => {
    const doc = markdownAsAdf(
      [
        "Isolated **HR-LT-0087** and reset _s.novak_'s credentials.",
        "",
        "- beacon to `198.51.100.23`",
        "- see [the Talos write-up](https://blog.talosintelligence.com/)",
        "",
        "1. first",
        "2. second",
        "",
        "```powershell",
        "Get-Process rundll32",
        "```",
      ].join("\n"),
    );
    expect(errorsOf(doc)).toEqual([]);
    const seen = marksOf(doc);
    for (const expected of [
      "paragraph",
      "strong",
      "em",
      "code",
      "bulletList",
      "orderedList",
      "listItem",
      "codeBlock",
      "link:https://blog.talosintelligence.com/",
    ])
      expect(seen, expected).toContain(expected);
    expect(textOf(doc)).toContain("Get-Process rundll32");
  });

  it("keeps raw HTML as the text the analyst wrote, and an autolink as a link", () => {
    const doc = markdownAsAdf("Payload was <script>alert(1)</script> via <https://evil.example/x>");
    expect(errorsOf(doc)).toEqual([]);
    expect(textOf(doc)).toContain("<script>alert(1)</script>");
    expect(marksOf(doc)).toContain("link:https://evil.example/x");
  });

  it("says what ADF cannot nest (a table in a list item) with blocks it can, losing no text", () => {
    const doc = markdownAsAdf(
      ["1. hosts", "   | host | ip |", "   | - | - |", "   | wks-1 | 10.0.0.5 |"].join("\n"),
    );
    expect(errorsOf(doc)).toEqual([]);
    expect(textOf(doc)).toContain("wks-1 | 10.0.0.5");
    // Found by the property below on CI: an image in a table in a list item.
    const withImage = markdownAsAdf(
      ["1. item", "| a | b |", "| - | - |", "| 1 | 2 |", "![image](https://example.com/i.png)"].join("\n"),
    );
    expect(errorsOf(withImage)).toEqual([]);
  });

  it("turns an empty body into one empty paragraph, which Jira accepts", () => {
    expect(errorsOf(markdownAsAdf(""))).toEqual([]);
  });

  it("validates whatever an analyst writes", () => {
    const fragments = fc.constantFrom(
      "plain words",
      "**bold**",
      "_italic_",
      "~~struck~~",
      "`code`",
      "[a link](https://example.com/a?b=c)",
      "<https://example.com>",
      "# heading",
      "> quoted",
      "- item",
      "1. item",
      "```\nblock\n```",
      "| a | b |\n| - | - |\n| 1 | 2 |",
      "---",
      "line  \nbreak",
      "<script>alert(1)</script>",
      "![image](https://example.com/i.png)",
      "\\*escaped\\*",
      "😀 unicode",
    );
    let tried = 0;
    let invalid = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fragments, fc.string()), { maxLength: 8 }),
        fc.constantFrom("\n", "\n\n", " "),
        (parts, joiner) => {
          tried++;
          const errors = errorsOf(markdownAsAdf(parts.join(joiner)));
          if (errors.length > 0) invalid++;
          expect(errors).toEqual([]);
        },
      ),
      { numRuns: 2000 },
    );
    console.log(`markdown bodies tried: ${tried}, invalid ADF: ${invalid}`);
  });
});
