// Jira REST v3 takes comment and description bodies as Atlassian Document Format. Phoenix keeps
// comments as Markdown; marklassian converts (paragraphs, emphasis, code, lists, links, headings,
// quotes, tables), and the contract test holds the result to Atlassian's ADF schema. Two things
// are settled here: raw HTML is the analyst's text, not markup, and containers Markdown leaves
// empty get the empty paragraph ADF requires.
import { markdownToAdf } from "marklassian";

export interface AdfDocument {
  version: 1;
  type: "doc";
  content: AdfNode[];
}

interface AdfNode {
  type: string;
  content?: AdfNode[];
  [key: string]: unknown;
}

// ADF nodes whose content must hold at least one block: an empty one gets an empty paragraph.
const NEEDS_A_BLOCK = new Set(["blockquote", "listItem", "tableCell", "tableHeader", "panel", "expand"]);
// Containers that mean nothing without children: dropped when Markdown leaves them empty.
const NEEDS_CHILDREN = new Set(["bulletList", "orderedList", "table", "tableRow", "mediaSingle"]);

/** A Markdown body as an ADF document Jira accepts. */
export function markdownAsAdf(markdown: string): AdfDocument {
  const doc = markdownToAdf(escapeRawHtml(markdown)) as AdfDocument;
  const content = tidy(doc.content);
  return { version: 1, type: "doc", content: content.length > 0 ? content : [emptyParagraph()] };
}

function emptyParagraph(): AdfNode {
  return { type: "paragraph", content: [] };
}

// What ADF allows inside a list item or a quote (Markdown allows any block there).
const SIMPLE_BLOCKS = new Set([
  "paragraph",
  "bulletList",
  "orderedList",
  "taskList",
  "mediaSingle",
  "codeBlock",
]);
const ALLOWED_INSIDE: Readonly<Record<string, ReadonlySet<string>>> = {
  listItem: SIMPLE_BLOCKS,
  blockquote: new Set([...SIMPLE_BLOCKS, "mediaGroup"]),
};

/** A block ADF does not allow where Markdown put it, said with the blocks it does allow. */
function asSimpleBlocks(node: AdfNode): AdfNode[] {
  if (node.type === "heading") return [{ type: "paragraph", content: node.content ?? [] }];
  if (node.type === "rule") return [];
  if (node.type === "table") {
    // One paragraph per row, its cells' text joined, so nothing the analyst wrote is lost; what a
    // cell holds beyond text (an image, a code block) follows the row as a block of its own.
    return (node.content ?? []).flatMap((row) => {
      const inline: AdfNode[] = [];
      const after: AdfNode[] = [];
      for (const [i, cell] of (row.content ?? []).entries()) {
        if (i > 0) inline.push({ type: "text", text: " | " });
        for (const block of cell.content ?? []) {
          if (block.type === "paragraph" || block.type === "heading") inline.push(...(block.content ?? []));
          else after.push(...(SIMPLE_BLOCKS.has(block.type) ? [block] : asSimpleBlocks(block)));
        }
      }
      return [{ type: "paragraph", content: inline }, ...after];
    });
  }
  return (node.content ?? []).flatMap((child) =>
    SIMPLE_BLOCKS.has(child.type) ? [child] : asSimpleBlocks(child),
  );
}

function tidy(nodes: readonly AdfNode[], parent = "doc"): AdfNode[] {
  const allowed = ALLOWED_INSIDE[parent];
  const fitted = allowed ? nodes.flatMap((n) => (allowed.has(n.type) ? [n] : asSimpleBlocks(n))) : nodes;
  return fitted.flatMap((node): AdfNode[] => {
    // ADF text is never empty (an empty fenced block converts to one).
    if (node.type === "text" && node.text === "") return [];
    if (node.content === undefined) return [node];
    const content = tidy(node.content, node.type);
    if (content.length === 0 && NEEDS_CHILDREN.has(node.type)) return [];
    if (content.length === 0 && NEEDS_A_BLOCK.has(node.type))
      return [{ ...node, content: [emptyParagraph()] }];
    return [{ ...node, content }];
  });
}

/**
 * `<` that would open an HTML tag is escaped, so `<script>` reads as text in Jira as it did in
 * Phoenix; autolinks (`<https://…>`, `<mailto:…>`) stay links.
 */
function escapeRawHtml(markdown: string): string {
  return markdown.replace(/<(?![a-z][a-z0-9+.-]*:[^\s<>]*>)(?=[A-Za-z/!?])/gi, "\\<");
}

/** A document's text, in reading order: what two renderings of the same comment share. */
export function adfText(node: unknown): string {
  if (typeof node !== "object" || node === null) return "";
  const n = node as { text?: unknown; content?: unknown };
  const own = typeof n.text === "string" ? n.text : "";
  return own + (Array.isArray(n.content) ? n.content.map(adfText).join("\n") : "");
}
