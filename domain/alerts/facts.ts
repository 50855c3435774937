// An alert's key OCSF fields as label and value, for a person to read at a glance before the full
// finding: where it came from, what it saw, on which device and user, and which techniques.
import { captionOf, DETECTION_STATUS_CAPTIONS } from "../ocsf/captions.ts";
import { attackTechniques } from "./queries.ts";
import type { Alert } from "./store.ts";

export interface AlertFact {
  label: string;
  value: string;
}

export function alertFacts(alert: Alert): AlertFact[] {
  const info = objectOf(alert.findingInfo);
  const device = objectOf(alert.device);
  const user = objectOf(objectOf(alert.actor)?.user);
  const facts: Array<[string, string | null]> = [
    [
      "Source",
      [alert.productName, alert.vendorName && `by ${alert.vendorName}`].filter(Boolean).join(" ") || null,
    ],
    [
      "Status",
      alert.statusId === null ? null : (captionOf(DETECTION_STATUS_CAPTIONS, alert.statusId) ?? null),
    ],
    ["Finding uid", alert.findingUid],
    ["Types", stringsOf(info?.types).join(", ") || null],
    ["Analytic", textOf(objectOf(info?.analytic)?.name)],
    [
      "Device",
      [textOf(device?.hostname) ?? textOf(device?.name), textOf(device?.ip)].filter(Boolean).join(" · ") ||
        null,
    ],
    ["User", textOf(user?.name) ?? textOf(user?.email_addr) ?? textOf(user?.uid)],
    ["Techniques", attackTechniques(info?.attacks ? JSON.stringify(info.attacks) : null).join(", ") || null],
    ["Description", textOf(info?.desc)],
  ];
  return facts.flatMap(([label, value]) => (value ? [{ label, value }] : []));
}

function objectOf(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function textOf(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}
