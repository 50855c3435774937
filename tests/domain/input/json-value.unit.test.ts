import { describe, expect, it } from "vitest";
import { jsonValueProblem } from "../../../domain/input/json-value.ts";
import { MAX_JSON_DEPTH, utf8Length } from "../../../domain/input/limits.ts";
import { parseMediaType } from "../../../domain/input/media-type.ts";

describe("the text rule", () => {
  it("names the path of the first lone surrogate, in values and in keys", () => {
    expect(jsonValueProblem({ a: [{ b: "ok" }, { b: "x\udfffy" }] })?.field).toBe("a[1].b");
    expect(jsonValueProblem([{ "k\ud800": 1 }], "")?.field).toBe('[0]."k\\ud800"');
    expect(jsonValueProblem({ s: "x\ud800" }, "[7]")?.field).toBe("[7].s");
  });

  it("accepts paired surrogates, NUL and direction overrides", () => {
    expect(jsonValueProblem({ emoji: "💥", nul: "a\u0000b", rtl: "\u202eexe" })).toBeNull();
  });

  it("refuses nesting past the limit without exhausting the stack, however deep", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(jsonValueProblem(deep)?.message).toBe(`is nested deeper than ${MAX_JSON_DEPTH} levels`);
    let fits: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH; i++) fits = [fits];
    expect(jsonValueProblem(fits)).toBeNull();
  });
});

describe("input helpers", () => {
  it("count UTF-8 bytes as TextEncoder does, lone surrogates as U+FFFD", () => {
    for (const s of ["", "abc", "é", "€", "💥", "a\ud800b", "\udfff"]) {
      expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
    }
  });

  it("read the media type and charset, quoted or not", () => {
    expect(parseMediaType('Application/JSON; Charset="UTF-16"')).toEqual({
      type: "application/json",
      charset: "utf-16",
    });
    expect(parseMediaType("application/json")).toEqual({ type: "application/json", charset: undefined });
  });
});
