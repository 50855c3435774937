// Random but valid OCSF 1.8 Detection Findings for tests. Deterministic for a given seed, so a
// failure can be replayed; without a seed every call draws fresh values, including finding_info.uid.
import {
  ACTIVITY_CAPTIONS,
  DETECTION_STATUS_CAPTIONS,
  type DetectionFinding,
  OBSERVABLE_TYPE_CAPTIONS,
  SEVERITY_CAPTIONS,
} from "../../../domain/ocsf/detection-finding.ts";
import { seededRandom } from "../random.ts";

type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | undefined }
    : T;

/** Deep-merged into the generated finding: objects merge, arrays and scalars replace, `undefined` deletes. */
export type FindingOverrides = DeepPartial<DetectionFinding>;

// 2026-03-01T00:00:00Z; generated times fall in the 30 days after it.
const BASE_TIME = 1_772_323_200_000;

function freshSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] as number;
}

class Draw {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  hex(length: number): string {
    let out = "";
    while (out.length < length) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  }
  sample<T>(items: readonly T[], min: number, max: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    const n = Math.min(this.int(min, max), pool.length);
    while (out.length < n) out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0] as T);
    return out;
  }
}

const PRODUCTS = [
  { name: "Example EDR", vendor_name: "Example Security Inc.", uid: "example-edr", version: "7.4.2" },
  { name: "Example NIDS", vendor_name: "Example Networks", uid: "example-nids", version: "6.1.3" },
  {
    name: "Example Cloud Threat Detector",
    vendor_name: "Example Security Inc.",
    uid: "example-ctd",
    version: "2026.02",
  },
  { name: "Cisco XDR", vendor_name: "Cisco", uid: "cisco-xdr", version: "2026.1" },
  { name: "Example Identity Guard", vendor_name: "Example Identity", uid: "example-idg", version: "3.2" },
] as const;

const MITRE = [
  {
    tactic: ["TA0001", "Initial Access"],
    technique: ["T1566", "Phishing"],
    sub: ["T1566.001", "Spearphishing Attachment"],
  },
  {
    tactic: ["TA0002", "Execution"],
    technique: ["T1059", "Command and Scripting Interpreter"],
    sub: ["T1059.001", "PowerShell"],
  },
  {
    tactic: ["TA0003", "Persistence"],
    technique: ["T1053", "Scheduled Task/Job"],
    sub: ["T1053.005", "Scheduled Task"],
  },
  {
    tactic: ["TA0004", "Privilege Escalation"],
    technique: ["T1068", "Exploitation for Privilege Escalation"],
    sub: null,
  },
  {
    tactic: ["TA0005", "Defense Evasion"],
    technique: ["T1562", "Impair Defenses"],
    sub: ["T1562.001", "Disable or Modify Tools"],
  },
  {
    tactic: ["TA0006", "Credential Access"],
    technique: ["T1003", "OS Credential Dumping"],
    sub: ["T1003.001", "LSASS Memory"],
  },
  {
    tactic: ["TA0008", "Lateral Movement"],
    technique: ["T1021", "Remote Services"],
    sub: ["T1021.001", "Remote Desktop Protocol"],
  },
  {
    tactic: ["TA0011", "Command and Control"],
    technique: ["T1071", "Application Layer Protocol"],
    sub: ["T1071.001", "Web Protocols"],
  },
  {
    tactic: ["TA0010", "Exfiltration"],
    technique: ["T1048", "Exfiltration Over Alternative Protocol"],
    sub: null,
  },
  { tactic: ["TA0040", "Impact"], technique: ["T1486", "Data Encrypted for Impact"], sub: null },
] as const;

const TITLES = [
  "Encoded PowerShell launched by an Office application",
  "Credential dumping from LSASS memory",
  "Beaconing to known command-and-control infrastructure",
  "Impossible travel between console sign-ins",
  "Scheduled task created for persistence",
  "Security tool tampering detected",
  "Mass file encryption behaviour",
  "Suspicious RDP logon from a new host",
  "Large outbound transfer over DNS",
  "Unsigned driver loaded by a user process",
] as const;

const USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"] as const;
const HOSTS = ["FIN-WS", "ENG-LT", "HR-WS", "DC", "WEB", "DB"] as const;
const OSES = [
  { name: "Windows 11 Enterprise", type_id: 100, type: "Windows" },
  { name: "Ubuntu 24.04", type_id: 200, type: "Linux" },
  { name: "macOS 15", type_id: 300, type: "macOS" },
] as const;
const DEVICE_TYPES = [
  [1, "Server"],
  [2, "Desktop"],
  [3, "Laptop"],
  [6, "Virtual"],
] as const;
const ANALYTIC_TYPES = [
  [1, "Rule"],
  [2, "Behavioral"],
  [3, "Statistical"],
  [4, "Learning (ML/DL)"],
] as const;
const PROCESSES = ["powershell.exe", "cmd.exe", "rundll32.exe", "python3", "bash", "mshta.exe"] as const;

// Mostly Create, as real feeds are; the rest exercise Update/Close/Unknown/Other.
const ACTIVITIES = [1, 1, 1, 1, 2, 2, 3, 0, 99] as const;
const SEVERITIES = [0, 1, 2, 2, 3, 3, 4, 4, 5, 6, 99] as const;

function caption(captions: Readonly<Record<number, string>>, id: number): string {
  return captions[id] ?? "Other";
}

function ipv4(d: Draw, prefix: string): string {
  return `${prefix}.${d.int(1, 254)}`;
}

function generate(d: Draw, seed: number): Record<string, unknown> {
  const activityId = d.pick(ACTIVITIES);
  const severityId = d.pick(SEVERITIES);
  const product = d.pick(PRODUCTS);
  const time = BASE_TIME + d.int(0, 30 * 24 * 3600 * 1000);
  const firstSeen = time - d.int(1_000, 3_600_000);
  const user = d.pick(USERS);
  const hostShort = `${d.pick(HOSTS)}-${String(d.int(1, 9999)).padStart(4, "0")}`;
  const hostname = `${hostShort.toLowerCase()}.corp.example`;
  const deviceIp = ipv4(d, `10.${d.int(0, 255)}.${d.int(0, 255)}`);
  const remoteIp = ipv4(d, d.pick(["198.51.100", "203.0.113", "192.0.2"]));
  const domain = `${d.pick(["cdn-update", "login-verify", "files", "telemetry"])}.${d.pick(["bad", "evil", "c2"])}.example`;
  const processName = d.pick(PROCESSES);
  const sha256 = d.hex(64);
  const [deviceTypeId, deviceType] = d.pick(DEVICE_TYPES);
  const os = d.pick(OSES);
  const [analyticTypeId, analyticType] = d.pick(ANALYTIC_TYPES);
  const deviceUid = d.uuid();
  // The seed is in the uid, so distinct seeds can never mint the same finding.
  const findingUid = `fnd-${seed.toString(16).padStart(8, "0")}-${d.hex(12)}`;

  const profiles = ["host", "security_control"];
  const finding: Record<string, unknown> = {
    activity_id: activityId,
    activity_name: activityId === 99 ? "Reprioritised" : caption(ACTIVITY_CAPTIONS, activityId),
    category_uid: 2,
    category_name: "Findings",
    class_uid: 2004,
    class_name: "Detection Finding",
    type_uid: 200400 + activityId,
    type_name: `Detection Finding: ${activityId === 99 ? "Reprioritised" : caption(ACTIVITY_CAPTIONS, activityId)}`,
    time,
    severity_id: severityId,
    severity: severityId === 99 ? "Sev-X" : caption(SEVERITY_CAPTIONS, severityId),
    confidence_id: d.pick([1, 2, 3]),
    is_alert: true,
    action_id: 3,
    action: "Observed",
    disposition_id: d.pick([15, 2, 19]),
    message: `${d.pick(TITLES)} on ${hostShort}`,
  };
  finding.confidence = caption({ 1: "Low", 2: "Medium", 3: "High" }, finding.confidence_id as number);
  finding.disposition = caption(
    { 2: "Blocked", 15: "Detected", 19: "Alert" },
    finding.disposition_id as number,
  );

  // Close events carry a closing status; others may omit status (it is only recommended).
  const statusId =
    activityId === 3 ? d.pick([4, 5]) : d.chance(0.85) ? d.pick([0, 1, 1, 1, 2, 3, 99]) : undefined;
  if (statusId !== undefined) {
    finding.status_id = statusId;
    finding.status = statusId === 99 ? "Pending vendor review" : caption(DETECTION_STATUS_CAPTIONS, statusId);
  }

  const attack = d.sample(MITRE, 1, 3).map((m) => ({
    version: "v15",
    tactic: { uid: m.tactic[0], name: m.tactic[1] },
    technique: { uid: m.technique[0], name: m.technique[1] },
    ...(m.sub ? { sub_technique: { uid: m.sub[0], name: m.sub[1] } } : {}),
  }));
  finding.finding_info = {
    uid: findingUid,
    title: d.pick(TITLES),
    desc: `Generated test finding from ${product.name}.`,
    types: [attack[0]?.tactic.name ?? "Execution"],
    created_time: time,
    first_seen_time: firstSeen,
    last_seen_time: time,
    src_url: `https://console.example/findings/${findingUid}`,
    analytic: {
      type_id: analyticTypeId,
      type: analyticType,
      uid: `R-${d.int(1000, 9999)}`,
      name: d.pick(TITLES),
    },
    attacks: attack,
  };
  finding.metadata = {
    version: "1.8.0",
    uid: d.uuid(),
    tenant_uid: `tenant-${d.hex(6)}`,
    log_name: "detections",
    product: { ...product },
    profiles,
  };

  finding.device = {
    type_id: deviceTypeId,
    type: deviceType,
    uid: deviceUid,
    name: hostShort,
    hostname,
    ip: deviceIp,
    os: { ...os },
  };
  finding.actor = d.chance(0.5)
    ? {
        user: {
          name: user,
          uid: `S-1-5-21-${d.int(1e8, 9e8)}-${d.int(1000, 9999)}`,
          type_id: 1,
          type: "User",
        },
      }
    : {
        user: { name: user, type_id: 1, type: "User" },
        process: { pid: d.int(100, 65000), name: processName, cmd_line: `${processName} -c ${d.hex(16)}` },
      };

  const candidates = [
    { name: "device.hostname", type_id: 1, value: hostname },
    { name: "device.ip", type_id: 2, value: deviceIp },
    { name: "evidences[0].dst_endpoint.ip", type_id: 2, value: remoteIp },
    { name: "actor.user.name", type_id: 4, value: user },
    { name: "actor.user.email_addr", type_id: 5, value: `${user}@corp.example` },
    { name: "evidences[0].url.url_string", type_id: 6, value: `https://${domain}/api/${d.hex(6)}` },
    {
      name: "evidences[0].file.name",
      type_id: 7,
      value: `${d.pick(["invoice", "update", "report"])}_${d.int(1, 999)}.docm`,
    },
    { name: "evidences[0].file.hashes[0].value", type_id: 8, value: sha256 },
    { name: "actor.process.name", type_id: 9, value: processName },
    { name: "evidences[0].dst_endpoint.domain", type_id: 1, value: domain },
  ];
  finding.observables = d
    .sample(candidates, 2, 6)
    .map((o) => ({ ...o, type: caption(OBSERVABLE_TYPE_CAPTIONS, o.type_id) }));

  if (d.chance(0.6)) {
    finding.resources = [{ uid: deviceUid, name: hostShort, type: deviceType, role_id: 1, role: "Target" }];
  }
  if (d.chance(0.5)) {
    finding.evidences = [
      {
        src_endpoint: { ip: deviceIp, hostname },
        dst_endpoint: { ip: remoteIp, domain, port: 443 },
        file: {
          name: "payload.bin",
          type_id: 1,
          hashes: [{ algorithm_id: 3, algorithm: "SHA-256", value: sha256 }],
        },
      },
    ];
  }
  if (d.chance(0.3)) {
    profiles.push("datetime");
    finding.time_dt = new Date(time).toISOString();
  }
  if (d.chance(0.2)) {
    profiles.push("cloud");
    finding.cloud = {
      provider: "AWS",
      region: d.pick(["eu-west-1", "us-east-2"]),
      account: { uid: String(d.int(1e11, 9e11)) },
    };
  }
  if (d.chance(0.2)) finding.unmapped = { vendor_score: d.int(0, 100), vendor_tags: ["generated"] };
  if (d.chance(0.2)) finding.count = d.int(2, 50);
  if (d.chance(0.15)) finding.raw_data = JSON.stringify({ vendorEventId: d.hex(10), host: hostShort });
  return finding;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function merge(base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = out[key];
    if (value === undefined) delete out[key];
    else if (isPlainObject(value) && isPlainObject(current)) out[key] = merge(current, value);
    else out[key] = value;
  }
  return out;
}

/**
 * One valid OCSF 1.8 Detection Finding. The same seed gives the same finding (uid included), so
 * omit the seed, or vary it, when findings must not fold into one alert.
 */
export function makeDetectionFinding(overrides: FindingOverrides = {}, seed?: number): DetectionFinding {
  const s = seed === undefined ? undefined : seed >>> 0;
  const generated = generate(new Draw(s ?? freshSeed()), s ?? 0);
  // Unseeded findings get a random uuid as uid: 32 bits of seed would collide in large suites.
  if (seed === undefined) (generated.finding_info as { uid: string }).uid = `fnd-${crypto.randomUUID()}`;
  const finding = merge(generated, overrides as Record<string, unknown>);
  // Keep type_uid consistent when a test overrides only activity_id.
  if ("activity_id" in overrides && !("type_uid" in overrides) && typeof finding.activity_id === "number") {
    finding.type_uid = 200400 + finding.activity_id;
  }
  return finding as DetectionFinding;
}

/** `n` findings with distinct uids; reproducible for a given seed, fresh without one. */
export function makeDetectionFindings(n: number, seed?: number): DetectionFinding[] {
  if (seed === undefined) return Array.from({ length: n }, () => makeDetectionFinding());
  // fmix32 is a bijection, so item seeds (and with them the uids) are distinct within a batch.
  const base = fmix32(seed);
  return Array.from({ length: n }, (_, i) => makeDetectionFinding({}, fmix32((base + i) >>> 0)));
}

// MurmurHash3's 32-bit finaliser: scatters nearby seeds so batches with seeds 1, 2, 3 do not overlap.
function fmix32(input: number): number {
  let h = input >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
