// The OCSF shapes /v1 answers with: alerts as Detection Findings and cases as Incident Findings.
// Everything Phoenix sets is typed; the objects stay open beyond it because OCSF is extensible and
// Phoenix keeps a producer's own attributes (profiles, extensions) as they arrived.
import { z } from "@hono/zod-openapi";
import { RESOLUTIONS } from "../../domain/case/model.ts";

const epochMs = z.int().describe("Epoch milliseconds.");
const isoTime = z.string().describe("RFC 3339 time, the `datetime` profile's sibling of an epoch field.");

const product = z.looseObject({
  name: z.string().optional(),
  uid: z.string().optional(),
  vendor_name: z.string().optional(),
});

export const detectionFindingViewSchema = z
  .looseObject({
    class_uid: z.literal(2004),
    class_name: z.literal("Detection Finding"),
    category_uid: z.literal(2),
    category_name: z.literal("Findings"),
    activity_id: z.int(),
    activity_name: z.string(),
    type_uid: z.int(),
    type_name: z.string(),
    severity_id: z.int(),
    severity: z.string(),
    status_id: z.int().optional(),
    status: z.string().optional(),
    time: epochMs,
    finding_info: z.looseObject({ uid: z.string(), title: z.string().optional() }),
    metadata: z.looseObject({ product, version: z.string(), uid: z.string().optional() }),
    count: z.int().describe("How often the finding was delivered."),
    start_time: epochMs.describe("When Phoenix first saw the finding."),
    end_time: epochMs.describe("When Phoenix last saw the finding."),
    start_time_dt: isoTime.optional(),
    end_time_dt: isoTime.optional(),
    raw_data: z.string().optional().describe("Left out of lists unless `include=raw_data`."),
    unmapped: z.looseObject({
      phoenix: z.object({
        alert_id: z.string(),
        case_id: z.string().optional().describe("The case the alert is grouped into, once it is."),
      }),
    }),
  })
  .openapi("DetectionFindingView", {
    description:
      "An alert as an OCSF 1.8 Detection Finding (class_uid 2004). Phoenix's alert id is in `unmapped.phoenix.alert_id`; `count`, `start_time` and `end_time` carry occurrences. Attributes the producer sent beyond these are kept as they arrived.",
  });

export const incidentFindingSchema = z
  .object({
    class_uid: z.literal(2005),
    class_name: z.literal("Incident Finding"),
    category_uid: z.literal(2),
    category_name: z.literal("Findings"),
    activity_id: z.int(),
    activity_name: z.string(),
    type_uid: z.int(),
    type_name: z.string(),
    time: epochMs,
    time_dt: isoTime,
    start_time: epochMs,
    start_time_dt: isoTime,
    end_time: epochMs.optional(),
    end_time_dt: isoTime.optional(),
    severity_id: z.int(),
    severity: z.string(),
    status_id: z.int(),
    status: z.string(),
    status_detail: z.string(),
    desc: z.string(),
    priority_id: z.int().optional(),
    priority: z.string().optional(),
    verdict_id: z.int().optional(),
    verdict: z.string().optional(),
    assignee: z.object({ uid: z.string() }).optional(),
    assignee_group: z.object({ name: z.string(), uid: z.string() }).optional(),
    metadata: z.object({
      version: z.string(),
      product: z.object({ name: z.string(), vendor_name: z.string() }),
      uid: z.string().describe("The case id."),
      sequence: z.int().describe("The case version: drop a render older than one you hold."),
      log_name: z.literal("cases"),
      modified_time: epochMs,
      processed_time: epochMs.optional(),
      profiles: z.array(z.string()),
    }),
    finding_info_list: z.array(
      z.object({
        uid: z.string().describe("The producer's finding uid."),
        uid_alt: z.string().describe("Phoenix's alert id."),
        title: z.string(),
        product: z.object({ name: z.string() }).optional(),
      }),
    ),
    unmapped: z.object({
      phoenix: z.object({
        case_id: z.string(),
        state: z.string(),
        version: z.int(),
        alert_count: z.int(),
        resolution: z.enum(RESOLUTIONS).optional(),
        sla_due_at: epochMs.optional(),
        sla_breached_at: epochMs.optional(),
      }),
    }),
  })
  .openapi("IncidentFinding", {
    description: "A case as an OCSF 1.8 Incident Finding (class_uid 2005); `metadata.uid` is the case id.",
  });
