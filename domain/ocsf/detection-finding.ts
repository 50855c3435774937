// Inbound OCSF 1.x Detection Findings (class 2004): what Phoenix accepts, how a finding becomes an
// `alerts` row, and the key that folds re-deliveries of one finding into one alert.
import { z } from "zod";
import type { alerts } from "../../schema/tenant.ts";
import { describeValue, expected } from "../validation-messages.ts";
import {
  ACTIVITY_CAPTIONS,
  DETECTION_FINDING_CLASS_UID,
  DETECTION_STATUS_CAPTIONS,
  FINDINGS_CATEGORY_UID,
  OBSERVABLE_TYPE_CAPTIONS,
  SEVERITY_CAPTIONS,
} from "./captions.ts";

// Callers that validate findings take the captions from here too.
export * from "./captions.ts";

const str = () => z.string({ error: expected("a string") });
const int = () => z.int({ error: expected("an integer") });
const obj = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.looseObject(shape, { error: expected("an object") });

function intEnum(captions: Readonly<Record<number, string>>) {
  const allowed = Object.entries(captions)
    .map(([id, caption]) => `${id} (${caption})`)
    .join(", ");
  // Refinements do not reach JSON Schema, so the enum is restated as metadata for the OpenAPI document.
  return int()
    .refine((v) => Object.hasOwn(captions, v), {
      error: (issue) => `must be one of ${allowed}, got ${describeValue(issue.input)}`,
    })
    .meta({ enum: Object.keys(captions).map(Number), description: allowed });
}

function constInt(value: number, caption: string) {
  return int()
    .refine((v) => v === value, {
      error: (issue) => `must be ${value} (${caption}), got ${describeValue(issue.input)}`,
    })
    .meta({ const: value, description: `${value} (${caption})` });
}

// Not before 1970 (domain/ocsf/finding-limits.ts refuses it, naming the field); the document says so.
const epoch = () =>
  int().meta({ minimum: 0, description: "Epoch milliseconds; integers below 1e11 are read as seconds." });

// OCSF `product` needs at least one of name or uid (constraint at_least_one).
const productSchema = obj({
  name: str().optional(),
  uid: str().optional(),
  vendor_name: str().optional(),
})
  .refine((p) => p.name !== undefined || p.uid !== undefined, {
    error: "must have at least one of name or uid",
  })
  // The refinement does not reach JSON Schema: the OpenAPI document states it as this anyOf.
  .meta({
    anyOf: [
      { properties: { name: { type: "string" } }, required: ["name"] },
      { properties: { uid: { type: "string" } }, required: ["uid"] },
    ],
  });

// Observables only require type_id; value is what Phoenix indexes when present.
const observableSchema = obj({
  type_id: intEnum(OBSERVABLE_TYPE_CAPTIONS),
  type: str().optional(),
  name: str().optional(),
  value: str().optional(),
});

export const detectionFindingSchema = obj({
  activity_id: intEnum(ACTIVITY_CAPTIONS),
  category_uid: constInt(FINDINGS_CATEGORY_UID, "Findings"),
  class_uid: constInt(DETECTION_FINDING_CLASS_UID, "Detection Finding"),
  type_uid: int().meta({
    enum: Object.keys(ACTIVITY_CAPTIONS).map((id) => DETECTION_FINDING_CLASS_UID * 100 + Number(id)),
    description: "class_uid * 100 + activity_id",
  }),
  severity_id: intEnum(SEVERITY_CAPTIONS),
  status_id: intEnum(DETECTION_STATUS_CAPTIONS).optional(),
  time: epoch(),
  start_time: epoch().optional(),
  end_time: epoch().optional(),
  // OCSF requires only uid here; title is recommended, so normaliseFinding has a fallback.
  finding_info: obj({ uid: str(), title: str().optional() }),
  metadata: obj({ product: productSchema, version: str(), uid: str().optional() }),
  observables: z.array(observableSchema, { error: expected("an array of observables") }).optional(),
  device: obj({}).optional(),
  actor: obj({}).optional(),
  resources: z.array(obj({}), { error: expected("an array of objects") }).optional(),
  raw_data: str().optional(),
})
  .refine((f) => f.type_uid === f.class_uid * 100 + f.activity_id, {
    path: ["type_uid"],
    error: (issue) => {
      const f = issue.input as { activity_id: number; type_uid: unknown };
      const want = DETECTION_FINDING_CLASS_UID * 100 + f.activity_id;
      return `must equal class_uid * 100 + activity_id (${want} for activity_id ${f.activity_id}), got ${describeValue(f.type_uid)}`;
    },
    // Report a mismatch even when other fields are also wrong, as long as the three numbers parse.
    when: (payload) => {
      const f = payload.value;
      if (typeof f !== "object" || f === null) return false;
      const { activity_id, type_uid, class_uid } = f as Record<string, unknown>;
      return (
        Number.isInteger(activity_id) &&
        Number.isInteger(type_uid) &&
        class_uid === DETECTION_FINDING_CLASS_UID
      );
    },
  })
  .meta({
    description: "One OCSF 1.x Detection Finding (class_uid 2004). Unknown attributes are kept.",
    // The refinement above, as JSON Schema can say it: each activity_id with its one type_uid.
    anyOf: Object.keys(ACTIVITY_CAPTIONS).map((id) => ({
      properties: {
        activity_id: { const: Number(id) },
        type_uid: { const: DETECTION_FINDING_CLASS_UID * 100 + Number(id) },
      },
    })),
  });

export type DetectionFinding = z.infer<typeof detectionFindingSchema>;

// --- Normalisation ----------------------------------------------------------------------------

/** The `alerts` columns a finding determines; the rest (ids, counts, seen times, links) belong to storage. */
export type NormalisedFinding = Required<
  Omit<
    typeof alerts.$inferInsert,
    | "id"
    | "dedupKey"
    | "occurrenceCount"
    | "firstSeenAt"
    | "lastSeenAt"
    | "sourceConnectorId"
    | "caseId"
    | "correlationKey"
    | "correlatedAt"
    | "createdAt"
    | "updatedAt"
  >
>;

// Top-level attributes kept in their own columns; everything else goes to `attributes`.
const COLUMN_ATTRIBUTES = new Set([
  "class_uid",
  "category_uid",
  "activity_id",
  "type_uid",
  "severity_id",
  "status_id",
  "time",
  "finding_info",
  "metadata",
  "observables",
  "device",
  "actor",
  "resources",
  "raw_data",
]);

// Epoch seconds stay below 1e11 until the year 5138, epoch ms passed it in 1973: below means seconds.
const SECONDS_THRESHOLD = 100_000_000_000;

/** An OCSF timestamp in epoch milliseconds, whether the producer sent seconds or milliseconds. */
export function toEpochMs(timestamp: number): number {
  return timestamp < SECONDS_THRESHOLD ? timestamp * 1000 : timestamp;
}

/**
 * The `alerts` row values a finding determines. `now` stands in for a `time` of 0 or less
 * (producers send 0 when they do not know), so such alerts do not sort before everything else.
 */
export function normaliseFinding(finding: DetectionFinding, now: number): NormalisedFinding {
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(finding)) {
    if (!COLUMN_ATTRIBUTES.has(key)) attributes[key] = value;
  }
  // `*_dt` siblings stay as sent: they are strings and already unambiguous.
  if (finding.start_time !== undefined) attributes.start_time = toEpochMs(finding.start_time);
  if (finding.end_time !== undefined) attributes.end_time = toEpochMs(finding.end_time);

  const product = finding.metadata.product;
  return {
    classUid: finding.class_uid,
    categoryUid: finding.category_uid,
    activityId: finding.activity_id,
    typeUid: finding.type_uid,
    severityId: finding.severity_id,
    statusId: finding.status_id ?? null,
    time: finding.time > 0 ? toEpochMs(finding.time) : now,
    title: titleOf(finding),
    findingUid: finding.finding_info.uid,
    findingInfo: finding.finding_info,
    metadata: finding.metadata,
    productName: product.name ?? null,
    vendorName: product.vendor_name ?? null,
    observables: finding.observables ?? null,
    device: finding.device ?? null,
    actor: finding.actor ?? null,
    resources: finding.resources ?? null,
    attributes,
    rawData: finding.raw_data ?? JSON.stringify(finding),
  };
}

// finding_info.title is only "recommended" in OCSF, but every alert needs a line to show.
function titleOf(finding: DetectionFinding): string {
  if (finding.finding_info.title) return finding.finding_info.title;
  if (typeof finding.message === "string" && finding.message !== "") return finding.message;
  return `Detection finding ${finding.finding_info.uid || "(no uid)"}`;
}

// --- Dedup ------------------------------------------------------------------------------------

/**
 * The alert identity of a finding, as hex SHA-256. Identity is the producer (vendor + product) plus the
 * producer's finding_info.uid, which OCSF keeps stable across a finding's Create/Update/Close events,
 * so they fold into one alert; product version and event time are left out so upgrades and re-sends
 * do not split it. Without a finding uid, metadata.uid (the event's id) still catches re-deliveries,
 * and without either only an identical payload counts as the same finding.
 */
export async function dedupKeyFor(finding: DetectionFinding): Promise<string> {
  const product = finding.metadata.product;
  const identity =
    finding.finding_info.uid !== ""
      ? ["finding_info.uid", finding.finding_info.uid]
      : finding.metadata.uid
        ? ["metadata.uid", finding.metadata.uid]
        : ["content", canonicalJson(finding)];
  // A JSON array keeps the parts unambiguous whatever characters they contain.
  const canonical = JSON.stringify([
    "ocsf-2004/v1",
    product.vendor_name ?? "",
    product.name ?? "",
    product.name === undefined ? (product.uid ?? "") : "",
    ...identity,
  ]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// Key order must not change the key of an otherwise identical payload.
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
