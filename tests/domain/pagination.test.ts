import { describe, expect, it } from "vitest";
import { isPhoenixError } from "../../domain/errors.ts";
import { decodeCursor, encodeCursor } from "../../domain/pagination.ts";

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
      code: "validation_failed",
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
        code: "validation_failed",
        field: "cursor",
      });
    }
  });
});
