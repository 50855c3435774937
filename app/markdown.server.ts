// Comments are Markdown, rendered on the server. micromark escapes raw HTML by default (it is never
// passed through), GFM adds tables, task lists and autolinks, and links get rel="noopener noreferrer".
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";

const LINK_OPENING = /<a href="([^"]*)">/g;
const TASK_BOX = /<input type="checkbox" disabled=""( checked="")? \/>/g;

export function renderMarkdown(markdown: string): string {
  const html = micromark(markdown, {
    allowDangerousHtml: false,
    allowDangerousProtocol: false,
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
  });
  // micromark writes every link opening exactly like this, with the URL already escaped and vetted.
  return (
    html
      .replace(LINK_OPENING, '<a href="$1" rel="noopener noreferrer" target="_blank">')
      // Task-list boxes are read-only marks; they are named so a screen reader says which.
      .replace(TASK_BOX, (_box, checked?: string) =>
        checked
          ? '<input type="checkbox" disabled="" checked="" aria-label="done" />'
          : '<input type="checkbox" disabled="" aria-label="to do" />',
      )
  );
}

// Comments never change once written, so each is rendered once per isolate and kept, newest used
// last; a busy case page would otherwise re-render hundreds of them on every view.
const RENDERED_LIMIT = 5_000;
const rendered = new Map<string, string>();

/** A comment's HTML by its id: rendered on first sight, then served from this isolate's memory. */
export function renderComment(commentId: string, markdown: string): string {
  const hit = rendered.get(commentId);
  if (hit !== undefined) {
    rendered.delete(commentId);
    rendered.set(commentId, hit);
    return hit;
  }
  const html = renderMarkdown(markdown);
  rendered.set(commentId, html);
  if (rendered.size > RENDERED_LIMIT) rendered.delete(rendered.keys().next().value as string);
  return html;
}
