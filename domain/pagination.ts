// Opaque keyset cursors. A cursor is the sort key of the last row served plus a fingerprint of
// the filters it was issued for, so it cannot be replayed against a different query.
import { base64url } from "jose";
import { PhoenixError } from "./errors.ts";

export interface KeysetPosition {
  /** Primary sort value (e.g. time in epoch ms). */
  k: number;
  /** Tie-breaker: the row id. */
  id: string;
}

export function encodeCursor(position: KeysetPosition, filterFingerprint: string): string {
  const json = JSON.stringify({ k: position.k, id: position.id, f: filterFingerprint });
  return base64url.encode(json);
}

export function decodeCursor(cursor: string, filterFingerprint: string): KeysetPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(base64url.decode(cursor)));
  } catch {
    throw invalidCursor("cursor is not one this API issued");
  }
  const p = parsed as { k?: unknown; id?: unknown; f?: unknown };
  if (
    typeof p.k !== "number" ||
    !Number.isSafeInteger(p.k) ||
    typeof p.id !== "string" ||
    typeof p.f !== "string"
  ) {
    throw invalidCursor("cursor is not one this API issued");
  }
  if (p.f !== filterFingerprint) throw invalidCursor("cursor was issued for different filters");
  return { k: p.k, id: p.id };
}

function invalidCursor(message: string): PhoenixError {
  return new PhoenixError("invalid_parameter", message, [{ field: "cursor", message }]);
}

/** Cuts a page short by size: rows are added while their JSON stays within `maxBytes`. */
export interface PageBudget<T> {
  maxBytes: number;
  sizeOf: (row: T) => number;
}

/**
 * One page from rows fetched with `LIMIT limit + 1`: the extra row only says a next page exists,
 * and the cursor is the position of the last row served. With a budget the page also stops before
 * it passes `maxBytes` (it always holds at least one row), and the cursor continues from there.
 */
export function keysetPage<T>(
  rows: readonly T[],
  limit: number,
  positionOf: (row: T) => KeysetPosition,
  filterFingerprint: string,
  budget?: PageBudget<T>,
): { items: T[]; nextCursor: string | null } {
  let items = rows.slice(0, limit);
  if (budget) {
    let bytes = 0;
    let fit = 0;
    for (const row of items) {
      bytes += budget.sizeOf(row);
      if (fit > 0 && bytes > budget.maxBytes) break;
      fit++;
    }
    items = items.slice(0, fit);
  }
  const last = items.at(-1);
  return {
    items,
    nextCursor:
      rows.length > items.length && last !== undefined
        ? encodeCursor(positionOf(last), filterFingerprint)
        : null,
  };
}
