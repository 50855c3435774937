// Prefixed, time-sortable identifiers: the prefix says what a thing is, the ULID sorts by creation.
import { monotonicFactory } from "ulid";

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
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const nextUlid = monotonicFactory();

export function newId(kind: IdKind, now: number = Date.now()): string {
  return `${ID_PREFIXES[kind]}_${nextUlid(now).toLowerCase()}`;
}

export function hasIdPrefix(kind: IdKind, value: string): boolean {
  return value.startsWith(`${ID_PREFIXES[kind]}_`);
}
