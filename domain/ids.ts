// Prefixed, time-sortable identifiers: the prefix says what a thing is, the ULID sorts by creation.
import { monotonicFactory } from "ulid";
import { z } from "zod";

export const ID_PREFIXES = {
  tenant: "tnt",
  principal: "prn",
  client: "cli",
  connector: "con",
  alert: "alrt",
  case: "case",
  quarantine: "qrn",
  comment: "cmt",
  asset: "ast",
  enrichment: "enr",
  token: "jti",
  audit: "adt",
  session: "ses",
  signingKey: "key",
  savedView: "view",
  sink: "snk",
  deadLetter: "dlq",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const nextUlid = monotonicFactory();

export function newId(kind: IdKind, now: number = Date.now()): string {
  return `${ID_PREFIXES[kind]}_${nextUlid(now).toLowerCase()}`;
}

export function hasIdPrefix(kind: IdKind, value: string): boolean {
  return value.startsWith(`${ID_PREFIXES[kind]}_`);
}

/** What an id of `kind` looks like: its prefix and a lower-case ULID. */
export function idPattern(kind: IdKind): RegExp {
  return new RegExp(`^${ID_PREFIXES[kind]}_[0-9a-z]{26}$`);
}

export function isIdOf(kind: IdKind, value: string): boolean {
  return idPattern(kind).test(value);
}

/** A zod schema for an id of `kind`, whose message names the kind (`noun`) and its prefix. */
export function idSchema(kind: IdKind, noun: string) {
  return z.string().regex(idPattern(kind), `must be ${noun} (${ID_PREFIXES[kind]}_…)`);
}
