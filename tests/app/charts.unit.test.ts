// The dashboard's charts are drawn inside workerd with visx: they must render there, carry the
// figures they are drawn from, and escape whatever a label holds.
import { describe, expect, it } from "vitest";
import { countBarsSvg, lineChartSvg, shareBarsSvg } from "../../app/charts.server.tsx";

const DAY = 86_400_000;

describe("dashboard charts", () => {
  it("draws each row's shares to the full width, with the counts in each bar's title", () => {
    const svg = shareBarsSvg(
      "SLA commitments",
      [
        { label: "Acme · high", values: { met: 6, warned: 2, breached: 2 } },
        { label: "Acme · low", values: { met: 0, warned: 0, breached: 0 } },
      ],
      [
        { key: "met", label: "met", tone: "ok" },
        { key: "warned", label: "met after warning", tone: "warn" },
        { key: "breached", label: "breached", tone: "bad" },
      ],
    );
    expect(svg).toMatch(/^<svg[^>]*role="img"[^>]*aria-label="SLA commitments"/);
    expect(svg).toContain("<title>Acme · high: met 6 of 10</title>");
    expect(svg).toContain("<title>Acme · high: breached 2 of 10</title>");
    // 60% of the inner width (640 - 200 - 56 = 384) is 230.4.
    expect(svg).toMatch(/class="visx-bar chart-ok"[^>]*width="230\.(4|39\d*)"/);
    expect(svg).toContain("<title>Acme · low: met 0 of 0</title>");
  });

  it("draws counts and lines, breaking a line where a value is missing", () => {
    const bars = countBarsSvg("Open cases by state", [{ label: "new", count: 7 }], "info");
    expect(bars).toContain("<title>new: 7</title>");
    const line = lineChartSvg(
      "Mean time to acknowledge",
      [
        {
          label: "business time",
          tone: "accent",
          points: [
            { at: 0, value: 60_000 },
            { at: 7 * DAY, value: null },
            { at: 14 * DAY, value: 120_000 },
          ],
        },
      ],
      (ms) => `${Math.round(ms / 60_000)}m`,
    );
    expect(line).toContain("<title>business time, 1970-01-01: 1m</title>");
    expect(line).toContain("<title>business time, 1970-01-15: 2m</title>");
    expect(line.match(/<circle/g)).toHaveLength(2);
    expect(line).toContain('class="visx-linepath chart-line chart-accent"');
  });

  it("escapes labels: a tenant named like markup stays text", () => {
    const svg = countBarsSvg("x", [{ label: '<img src=x onerror="alert(1)">', count: 1 }], "info");
    expect(svg).not.toContain("<img");
    expect(svg).toContain("&lt;img");
  });
});
