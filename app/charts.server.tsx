// The dashboard's charts, drawn on the server as SVG markup with visx: the browser gets finished
// pictures and no charting code. Colours are the theme's variables (app.css `.chart-*`), so one
// drawing reads in light and dark alike. Every chart has a table beside it on the page.
import { AxisBottom, AxisLeft } from "@visx/axis";
import { Group } from "@visx/group";
import { scaleBand, scaleLinear, scaleUtc } from "@visx/scale";
import { Bar, LinePath } from "@visx/shape";
import { renderToStaticMarkup } from "react-dom/server";

export type Tone = "ok" | "warn" | "bad" | "info" | "accent" | "muted";

export interface StackKey {
  key: string;
  label: string;
  tone: Tone;
}

export interface StackRow {
  label: string;
  values: Record<string, number>;
}

const MARGIN = { top: 8, right: 56, bottom: 28, left: 200 };
const ROW_HEIGHT = 26;

/**
 * Horizontal bars, one per row, each split into its keys' shares of the row's total (100% wide), with
 * the total written at the end. For shares such as SLA commitments met, warned and breached.
 */
export function shareBarsSvg(
  title: string,
  rows: readonly StackRow[],
  keys: readonly StackKey[],
  width = 640,
): string {
  const height = MARGIN.top + MARGIN.bottom + Math.max(1, rows.length) * ROW_HEIGHT;
  const innerWidth = width - MARGIN.left - MARGIN.right;
  const y = scaleBand({
    domain: rows.map((r) => r.label),
    range: [0, rows.length * ROW_HEIGHT],
    padding: 0.25,
  });
  const x = scaleLinear({ domain: [0, 100], range: [0, innerWidth] });
  return svg(
    title,
    width,
    height,
    <Group left={MARGIN.left} top={MARGIN.top}>
      {rows.map((row) => {
        const total = keys.reduce((n, k) => n + (row.values[k.key] ?? 0), 0);
        let from = 0;
        return (
          <g key={row.label}>
            {keys.map((k) => {
              const share = total === 0 ? 0 : ((row.values[k.key] ?? 0) / total) * 100;
              const bar = (
                <Bar
                  key={k.key}
                  className={`chart-${k.tone}`}
                  x={x(from)}
                  y={y(row.label) ?? 0}
                  width={Math.max(0, x(share))}
                  height={y.bandwidth()}
                >
                  <title>{`${row.label}: ${k.label} ${row.values[k.key] ?? 0} of ${total}`}</title>
                </Bar>
              );
              from += share;
              return bar;
            })}
            <text
              x={innerWidth + 6}
              y={(y(row.label) ?? 0) + y.bandwidth() / 2}
              dominantBaseline="middle"
              className="chart-label"
            >
              {total}
            </text>
          </g>
        );
      })}
      <AxisLeft scale={y} hideTicks hideAxisLine tickLabelProps={() => axisLabel("end")} />
      <AxisBottom
        top={rows.length * ROW_HEIGHT}
        scale={x}
        tickValues={[0, 25, 50, 75, 100]}
        tickFormat={(v) => `${v}%`}
        stroke="currentColor"
        tickStroke="currentColor"
        tickLabelProps={() => axisLabel("middle")}
      />
    </Group>,
  );
}

/** Horizontal bars of one count per row, for counts such as open cases by state. */
export function countBarsSvg(
  title: string,
  rows: ReadonlyArray<{ label: string; count: number }>,
  tone: Tone,
  width = 420,
): string {
  const height = MARGIN.top + MARGIN.bottom + Math.max(1, rows.length) * ROW_HEIGHT;
  const left = 120;
  const innerWidth = width - left - MARGIN.right;
  const y = scaleBand({
    domain: rows.map((r) => r.label),
    range: [0, rows.length * ROW_HEIGHT],
    padding: 0.25,
  });
  const x = scaleLinear({
    domain: [0, Math.max(1, ...rows.map((r) => r.count))],
    range: [0, innerWidth],
    nice: true,
  });
  return svg(
    title,
    width,
    height,
    <Group left={left} top={MARGIN.top}>
      {rows.map((row) => (
        <g key={row.label}>
          <Bar
            className={`chart-${tone}`}
            x={0}
            y={y(row.label) ?? 0}
            width={x(row.count)}
            height={y.bandwidth()}
          >
            <title>{`${row.label}: ${row.count}`}</title>
          </Bar>
          <text
            x={x(row.count) + 6}
            y={(y(row.label) ?? 0) + y.bandwidth() / 2}
            dominantBaseline="middle"
            className="chart-label"
          >
            {row.count}
          </text>
        </g>
      ))}
      <AxisLeft scale={y} hideTicks hideAxisLine tickLabelProps={() => axisLabel("end")} />
    </Group>,
  );
}

// Up to this many points a line marks each one (with its value as a tooltip).
const MARKED_POINTS = 16;

export interface Series {
  label: string;
  tone: Tone;
  dashed?: boolean;
  points: ReadonlyArray<{ at: number; value: number | null }>;
}

/** Lines over time (UTC), one per series; a missing value breaks its line rather than inventing one. */
export function lineChartSvg(
  title: string,
  series: readonly Series[],
  format: (value: number) => string,
  options: { width?: number; height?: number; atLeast?: number } = {},
): string {
  const { width = 640, height = 220, atLeast = 1 } = options;
  const margin = { top: 12, right: 16, bottom: 28, left: 56 };
  const innerWidth = width - margin.left - margin.right;
  const innerHeight = height - margin.top - margin.bottom;
  const times = series.flatMap((s) => s.points.map((p) => p.at));
  const values = series.flatMap((s) => s.points.flatMap((p) => (p.value === null ? [] : [p.value])));
  const first = Math.min(...times);
  const last = Math.max(...times);
  const x = scaleUtc({
    domain:
      times.length === 0
        ? [new Date(0), new Date(1)]
        : [new Date(first), new Date(Math.max(last, first + 1))],
    range: [0, innerWidth],
  });
  // `atLeast` keeps a flat or empty chart's axis readable (a minute, not "0s 0s 0s").
  const y = scaleLinear({ domain: [0, Math.max(atLeast, ...values)], range: [innerHeight, 0], nice: true });
  return svg(
    title,
    width,
    height,
    <Group left={margin.left} top={margin.top}>
      {series.map((s) => (
        <LinePath
          key={s.label}
          data={[...s.points]}
          x={(p) => x(new Date(p.at))}
          y={(p) => y(p.value ?? 0)}
          defined={(p) => p.value !== null}
          className={`chart-line chart-${s.tone}`}
          strokeWidth={2}
          strokeDasharray={s.dashed ? "5 4" : undefined}
        />
      ))}
      {/* Point markers with their values while they can be told apart; beyond that the table has them. */}
      {series.flatMap((s) =>
        s.points.flatMap((p) =>
          p.value === null || s.points.length > MARKED_POINTS
            ? []
            : [
                <circle
                  key={`${s.label}-${p.at}`}
                  cx={x(new Date(p.at))}
                  cy={y(p.value)}
                  r={2.5}
                  className={`chart-${s.tone}`}
                >
                  <title>{`${s.label}, ${new Date(p.at).toISOString().slice(0, 10)}: ${format(p.value)}`}</title>
                </circle>,
              ],
        ),
      )}
      <AxisLeft
        scale={y}
        numTicks={4}
        tickFormat={(v) => format(Number(v))}
        stroke="currentColor"
        tickStroke="currentColor"
        tickLabelProps={() => axisLabel("end")}
      />
      <AxisBottom
        top={innerHeight}
        scale={x}
        numTicks={Math.min(6, Math.max(2, new Set(times).size))}
        tickFormat={(v) => (v instanceof Date ? v : new Date(Number(v))).toISOString().slice(5, 10)}
        stroke="currentColor"
        tickStroke="currentColor"
        tickLabelProps={() => axisLabel("middle")}
      />
    </Group>,
  );
}

function axisLabel(textAnchor: "end" | "middle") {
  return { fill: "currentColor", fontSize: 11, textAnchor, className: "chart-axis" } as const;
}

// The picture is named by its figure's caption on the page; the SVG itself is one image to readers.
function svg(title: string, width: number, height: number, body: React.ReactNode): string {
  return renderToStaticMarkup(
    <svg
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      role="img"
      aria-label={title}
      className="chart text-muted"
      xmlns="http://www.w3.org/2000/svg"
    >
      {body}
    </svg>,
  );
}
