// Comments are rendered from Markdown on the server, inside workerd: nothing a commenter types may
// become markup or script, and links open safely.
import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../app/markdown.server.ts";

describe("renderMarkdown", () => {
  it("renders the Markdown analysts write: emphasis, code, lists, task lists and tables", () => {
    const html = renderMarkdown(
      "Found **persistence** via `schtasks`:\n\n- [x] isolate\n- [ ] reset\n\n| host | ip |\n| --- | --- |\n| a | b |",
    );
    expect(html).toContain("<strong>persistence</strong>");
    expect(html).toContain("<code>schtasks</code>");
    expect(html).toContain('<input type="checkbox" disabled="" checked="" aria-label="done" />');
    expect(html).toContain('<input type="checkbox" disabled="" aria-label="to do" />');
    expect(html).toContain("<table>");
  });

  it("escapes raw HTML instead of passing it through", () => {
    const html = renderMarkdown(
      '<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">\n\nhi <b onclick="x()">b</b>',
    );
    expect(html).not.toMatch(/<script|<img|<b /);
    expect(html).toContain("&lt;script&gt;");
  });

  it("drops dangerous link targets and opens the others without an opener or referrer", () => {
    const html = renderMarkdown(
      "[a](javascript:alert(1)) [b](https://example.com/x?y=1) <https://example.org>",
    );
    expect(html).not.toContain("javascript:");
    expect(html).toContain(
      '<a href="https://example.com/x?y=1" rel="noopener noreferrer" target="_blank">b</a>',
    );
    expect(html).toContain('<a href="https://example.org" rel="noopener noreferrer" target="_blank">');
  });
});
