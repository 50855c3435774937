import { describe, expect, it } from "vitest";
import { isPhoenixError } from "../../domain/errors.ts";
import { decodeCursor, encodeCursor, keysetPage } from "../../domain/pagination.ts";

function rejection(fn: () => unknown): { code: string; field: string | undefined; message: string } {
  try {
    fn();
  } catch (error) {
    if (isPhoenixError(error))
      return { code: error.code, field: error.errors?.[0]?.field, message: error.message };
    throw error;
  }
  throw new Error("expected a rejection");
}

describe("keyset cursors", () => {
  it("round-trip the position they were issued for", () => {
    const cursor = encodeCursor({ k: 1_763_000_000_123, id: "alrt_01abc" }, "[5,null]");
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, "[5,null]")).toEqual({ k: 1_763_000_000_123, id: "alrt_01abc" });
  });

  it("refuse a cursor issued for other filters", () => {
    const cursor = encodeCursor({ k: 1, id: "a" }, "[5,null]");
    expect(rejection(() => decodeCursor(cursor, "[4,null]"))).toMatchObject({
      code: "invalid_parameter",
      field: "cursor",
    });
  });

  it("refuse garbage, wrong shapes and unsafe numbers", () => {
    const forge = (value: unknown) => btoa(JSON.stringify(value)).replaceAll("=", "");
    for (const bad of [
      "",
      "%%%",
      "bm90LWpzb24",
      forge({ k: "1", id: "a", f: "x" }),
      forge({ k: 2 ** 60, id: "a", f: "x" }),
      forge([1]),
    ]) {
      expect(rejection(() => decodeCursor(bad, "x"))).toMatchObject({
        code: "invalid_parameter",
        field: "cursor",
      });
    }
  });
});

describe("keyset pages cut by size", () => {
  const rows = [300, 300, 300, 300].map((size, i) => ({ id: `r${i}`, k: 10 - i, size }));
  const page = (limit: number, maxBytes: number, fetched = rows) =>
    keysetPage(fetched, limit, (r) => ({ k: r.k, id: r.id }), "f", { maxBytes, sizeOf: (r) => r.size });

  it("stop before the budget and continue from the last row served", () => {
    const first = page(3, 700);
    expect(first.items.map((r) => r.id)).toEqual(["r0", "r1"]);
    expect(first.nextCursor && decodeCursor(first.nextCursor, "f")).toEqual({ k: 9, id: "r1" });
  });

  it("always serve one row, however large", () => {
    expect(page(3, 10).items.map((r) => r.id)).toEqual(["r0"]);
  });

  it("end without a cursor when every fetched row fits", () => {
    const last = page(5, 10_000, rows);
    expect({ served: last.items.length, next: last.nextCursor }).toEqual({ served: 4, next: null });
  });
});
