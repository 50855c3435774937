// OCSF 1.8.0 enum captions and class ids, apart from the finding's validation schema so that a
// page which only renders findings (the workbench) does not construct zod schemas: the Worker's
// OpenAPI registry extends zod and must do so before any schema it documents is built.
// From shared/ocsf/detection_finding.schema.json, x-ocsf-enum.
export const DETECTION_FINDING_CLASS_UID = 2004;
export const FINDINGS_CATEGORY_UID = 2;

export const ACTIVITY_CAPTIONS: Readonly<Record<number, string>> = {
  0: "Unknown",
  1: "Create",
  2: "Update",
  3: "Close",
  99: "Other",
};

export const SEVERITY_CAPTIONS: Readonly<Record<number, string>> = {
  0: "Unknown",
  1: "Informational",
  2: "Low",
  3: "Medium",
  4: "High",
  5: "Critical",
  6: "Fatal",
  99: "Other",
};

export const DETECTION_STATUS_CAPTIONS: Readonly<Record<number, string>> = {
  0: "Unknown",
  1: "New",
  2: "In Progress",
  3: "Suppressed",
  4: "Resolved",
  5: "Archived",
  6: "Deleted",
  99: "Other",
};

export const OBSERVABLE_TYPE_CAPTIONS: Readonly<Record<number, string>> = {
  0: "Unknown",
  1: "Hostname",
  2: "IP Address",
  3: "MAC Address",
  4: "User Name",
  5: "Email Address",
  6: "URL String",
  7: "File Name",
  8: "Hash",
  9: "Process Name",
  10: "Resource UID",
  11: "Port",
  12: "Subnet",
  13: "Command Line",
  14: "Country",
  15: "Process ID",
  16: "HTTP User-Agent",
  17: "CWE Object: uid",
  18: "CVE Object: uid",
  19: "User Credential ID",
  20: "Endpoint",
  21: "User",
  22: "Email",
  23: "Uniform Resource Locator",
  24: "File",
  25: "Process",
  26: "Geo Location",
  27: "Container",
  30: "Fingerprint",
  31: "User Object: uid",
  32: "Group Object: name",
  33: "Group Object: uid",
  34: "Account Object: name",
  35: "Account Object: uid",
  36: "Script Content",
  37: "Serial Number",
  38: "Resource Details Object: name",
  39: "Process Entity Object: uid",
  40: "Email Object: subject",
  41: "Email Object: uid",
  42: "Message UID",
  44: "Advisory Object: uid",
  45: "File Path",
  47: "Device Object: uid",
  48: "Network Endpoint Object: uid",
  99: "Other",
};

/** The OCSF caption of an enum id, e.g. `captionOf(SEVERITY_CAPTIONS, 4)` is "High". */
export function captionOf(captions: Readonly<Record<number, string>>, id: number): string | undefined {
  return Object.hasOwn(captions, id) ? captions[id] : undefined;
}
