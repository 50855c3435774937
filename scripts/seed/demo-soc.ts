// A SOC at work for `npm start`: three customer tenants, the people who work them, and about sixty
// cases in every state, driven there through the /v1 API by those people's own sessions, so every
// timeline, assignment and audit record is one the product itself wrote. Seeds only tenants that
// have no case yet, so a second `npm start` adds nothing.
import type { Role } from "../../domain/auth/permissions.ts";
import type { SlaPolicy } from "../../domain/sla/types.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface DemoTenant {
  slug: string;
  name: string;
  binding: string;
  /** A tenant's own SLA contract; without one the default policy applies. */
  slaPolicy?: SlaPolicy;
}

/**
 * Northwind's premium contract is tight on purpose: its unacknowledged critical and high cases
 * breach a few minutes after `npm start`, and medium ones warn, so the demo shows real SLA pressure.
 */
const NORTHWIND_SLA: SlaPolicy = {
  targets: {
    critical: { acknowledgeMs: 1 * MINUTE, containMs: 30 * MINUTE, resolveMs: 8 * HOUR },
    high: { acknowledgeMs: 3 * MINUTE, containMs: 2 * HOUR, resolveMs: 24 * HOUR },
    medium: { acknowledgeMs: 20 * MINUTE, containMs: 8 * HOUR, resolveMs: 72 * HOUR },
    low: { acknowledgeMs: 4 * HOUR, containMs: 24 * HOUR, resolveMs: 14 * 24 * HOUR },
  },
  warningRatio: 0.5,
  calendar: { kind: "24x7" },
  pausedIn: { acknowledge: [], contain: ["on_hold"], resolve: ["on_hold"] },
};

export const DEMO_TENANTS: readonly DemoTenant[] = [
  { slug: "demo", name: "Demo Corp", binding: "TENANT_DEMO" },
  { slug: "northwind", name: "Northwind Health", binding: "TENANT_NORTHWIND", slaPolicy: NORTHWIND_SLA },
  { slug: "globex", name: "Globex Retail", binding: "TENANT_GLOBEX" },
];

export interface DemoPerson {
  email: string;
  displayName: string;
  kind: "staff" | "customer";
  /** Role per tenant slug. */
  grants: Readonly<Record<string, Role>>;
}

/** Grants that show the differences: an analyst on two tenants, a lead on all, a customer on one. */
export const DEMO_PEOPLE: readonly DemoPerson[] = [
  {
    email: "viewer@demo.phoenix.test",
    displayName: "Vera Viewer",
    kind: "customer",
    grants: { demo: "viewer" },
  },
  {
    email: "analyst@demo.phoenix.test",
    displayName: "Ana Analyst",
    kind: "staff",
    grants: { demo: "analyst", northwind: "analyst" },
  },
  {
    email: "lead@demo.phoenix.test",
    displayName: "Lee Lead",
    kind: "staff",
    grants: { demo: "lead", northwind: "lead", globex: "lead" },
  },
  { email: "admin@demo.phoenix.test", displayName: "Adi Admin", kind: "staff", grants: { demo: "admin" } },
  {
    email: "sam@demo.phoenix.test",
    displayName: "Sam Okafor",
    kind: "staff",
    grants: { demo: "analyst", globex: "analyst" },
  },
  {
    email: "kai@demo.phoenix.test",
    displayName: "Kai Lindqvist",
    kind: "staff",
    grants: { northwind: "analyst", globex: "analyst" },
  },
];

type Severity = "critical" | "high" | "medium" | "low";

/** Where a seeded case is taken; each is reached through the lifecycle like a person would. */
export type DemoOutcome =
  | "new"
  | "assigned"
  | "acknowledged"
  | "in_progress"
  | "contained"
  | "on_hold"
  | "escalated"
  | "resolved"
  | "closed"
  | "reopened";

export interface DemoCase {
  title: string;
  severity: Severity;
  outcome: DemoOutcome;
  /** A comment in Markdown, added by whoever works the case. */
  note?: string;
}

const CASES: Readonly<Record<string, readonly DemoCase[]>> = {
  demo: [
    { title: "Okta admin role granted outside change window", severity: "high", outcome: "new" },
    {
      title: "Mailbox forwarding rule to external address (cfo@)",
      severity: "high",
      outcome: "acknowledged",
    },
    {
      title: "Encoded PowerShell spawned by WINWORD.EXE on FIN-WS-0142",
      severity: "critical",
      outcome: "contained",
      note: "Host isolated at **09:42**. Dropped `invoice_0412.docm` matches the phishing wave from this morning.\n\n- [x] isolate host\n- [ ] reset user credentials",
    },
    {
      title: "Impossible travel: j.doe@demo.example (Berlin → São Paulo)",
      severity: "medium",
      outcome: "in_progress",
    },
    { title: "Public S3 bucket demo-exports created", severity: "medium", outcome: "resolved" },
    { title: "Repeated MFA denials for svc-backup", severity: "low", outcome: "closed" },
    {
      title: "GenAI upload of source code to an unsanctioned assistant",
      severity: "medium",
      outcome: "on_hold",
    },
    {
      title: "Beaconing to 198.51.100.23 every 60 s from DEV-LT-0031",
      severity: "high",
      outcome: "escalated",
    },
    { title: "New service principal with Mail.ReadWrite", severity: "medium", outcome: "assigned" },
    { title: "Defender detected Mimikatz on JUMP-01", severity: "critical", outcome: "reopened" },
    { title: "Anomalous sign-in from TOR exit node", severity: "low", outcome: "new" },
  ],
  northwind: [
    {
      title: "Ransomware precursor: Cobalt Strike beacon on NW-EHR-DB02",
      severity: "critical",
      outcome: "new",
    },
    { title: "EDR sensor disabled on NW-LAB-03", severity: "critical", outcome: "new" },
    { title: "Mass download of patient records by svc-reporting", severity: "high", outcome: "new" },
    { title: "MFA fatigue: 27 push prompts denied for j.ortiz", severity: "high", outcome: "acknowledged" },
    {
      title: "Impossible travel: dr.hayes@northwind.example (Lisbon → Singapore)",
      severity: "high",
      outcome: "in_progress",
      note: "Confirmed with the user by phone: **not** travelling. Session tokens revoked; checking mailbox rules next.",
    },
    {
      title: "Phishing wave: 'Updated on-call rota' with HTML smuggling",
      severity: "medium",
      outcome: "new",
    },
    { title: "Unsigned driver loaded on NW-WS-1187", severity: "medium", outcome: "new" },
    { title: "Suspicious OAuth app consent: 'PDF Signer Pro'", severity: "medium", outcome: "assigned" },
    { title: "Outbound SMB to the internet from NW-IMG-07", severity: "high", outcome: "contained" },
    { title: "New local admin created on NW-PACS-01", severity: "high", outcome: "escalated" },
    { title: "AI assistant prompt contained patient identifiers", severity: "medium", outcome: "on_hold" },
    { title: "Brute force against the VPN gateway from 203.0.113.45", severity: "low", outcome: "resolved" },
    { title: "DNS tunnelling pattern from NW-WS-0922", severity: "high", outcome: "in_progress" },
    { title: "Unsanctioned file sharing to mega.example", severity: "low", outcome: "closed" },
    { title: "Service account interactive logon on NW-DC-01", severity: "medium", outcome: "new" },
    {
      title: "Credential dumping attempt (LSASS access) on NW-WS-0311",
      severity: "critical",
      outcome: "acknowledged",
    },
    { title: "Printer firmware downgrade on NW-PRN-22", severity: "low", outcome: "new" },
    { title: "VPN login from a new country for a.kim", severity: "medium", outcome: "reopened" },
    { title: "Cloud storage key committed to a public repository", severity: "high", outcome: "resolved" },
    { title: "Large outbound transfer from NW-RAD-04 at 03:12", severity: "high", outcome: "new" },
  ],
  globex: [
    {
      title: "Card-skimming script injected on the checkout page",
      severity: "critical",
      outcome: "contained",
    },
    { title: "POS malware beacon from store 114, register 3", severity: "critical", outcome: "in_progress" },
    {
      title: "Credential stuffing against the loyalty login (41k attempts)",
      severity: "high",
      outcome: "new",
    },
    { title: "Print spooler privilege escalation on GX-DC-02", severity: "high", outcome: "acknowledged" },
    { title: "PowerShell download cradle on GX-WS-3310", severity: "medium", outcome: "new" },
    { title: "Storage container gx-invoices made public", severity: "high", outcome: "resolved" },
    { title: "Impossible travel: buyer@globex.example", severity: "medium", outcome: "assigned" },
    { title: "Excessive GenAI uploads of supplier contracts", severity: "medium", outcome: "on_hold" },
    { title: "Typosquat domain registered: g1obex-retail.example", severity: "low", outcome: "closed" },
    { title: "Tamper protection disabled on GX-LT-0457", severity: "high", outcome: "escalated" },
    { title: "Lateral movement with PsExec from GX-WS-2201", severity: "high", outcome: "in_progress" },
    { title: "Service account logon outside the change window", severity: "low", outcome: "new" },
    { title: "Gift-card fraud pattern on the web shop", severity: "medium", outcome: "new" },
    { title: "Suspicious scheduled task on GX-POS-0077", severity: "medium", outcome: "reopened" },
    {
      title: "Ransom note filename seen on the GX-FS-01 share",
      severity: "critical",
      outcome: "acknowledged",
    },
    { title: "Admin console exposed to the internet (port 8443)", severity: "high", outcome: "new" },
    { title: "Phishing kit hosted on globex-careers.example", severity: "medium", outcome: "resolved" },
    { title: "Disabled audit logging on the payments database", severity: "high", outcome: "contained" },
    { title: "Repeated failed sudo on GX-WEB-05", severity: "low", outcome: "new" },
  ],
};

export function demoCasesFor(slug: string): readonly DemoCase[] {
  return CASES[slug] ?? [];
}

/** The commands that take a case from `new` to its outcome, and who gives each (by their role). */
export type DemoStep =
  | { by: "worker"; command: Record<string, unknown> }
  | { by: "lead"; command: Record<string, unknown> };

export function stepsTo(outcome: DemoOutcome, worker: string, note: string | undefined): DemoStep[] {
  const w = (command: Record<string, unknown>): DemoStep => ({ by: "worker", command });
  const l = (command: Record<string, unknown>): DemoStep => ({ by: "lead", command });
  const comment = note ? [w({ type: "comment", body: note, visibility: "internal" })] : [];
  const assign = w({ type: "assign", assignee: worker });
  const ack = w({ type: "acknowledge" });
  switch (outcome) {
    case "new":
      return [];
    case "assigned":
      return [assign];
    case "acknowledged":
      return [ack, assign, ...comment];
    case "in_progress":
      return [ack, assign, w({ type: "start" }), ...comment];
    case "contained":
      return [
        ack,
        assign,
        w({ type: "start" }),
        w({ type: "contain" }),
        ...comment,
        w({
          type: "comment",
          body: "The affected host is isolated; we keep you posted.",
          visibility: "customer",
        }),
      ];
    case "on_hold":
      return [
        ack,
        assign,
        w({ type: "start" }),
        w({ type: "hold", reason: "Waiting for the customer to confirm" }),
      ];
    case "escalated":
      return [
        ack,
        assign,
        w({ type: "escalate", tier: "L2", team: "Incident response", reason: "Needs forensics" }),
      ];
    case "resolved":
      return [
        ack,
        assign,
        w({ type: "start" }),
        w({ type: "resolve", resolution: "true_positive" }),
        ...comment,
      ];
    case "closed":
      return [ack, assign, w({ type: "resolve", resolution: "false_positive" }), l({ type: "close" })];
    case "reopened":
      return [
        ack,
        assign,
        w({ type: "resolve", resolution: "benign_positive" }),
        l({ type: "close" }),
        l({ type: "reopen", reason: "The same behaviour came back this morning" }),
      ];
  }
}
