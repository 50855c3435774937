// How the workbench names and explains each connector kind.
import type { ConnectorKind } from "../domain/ingest/kinds/index.ts";

export const CONNECTOR_KIND: Record<
  ConnectorKind,
  { label: string; about: string; settings: string; push?: string }
> = {
  "cisco-xdr": {
    label: "Cisco XDR",
    about:
      "Incident events and CTIM bundles pushed by an XDR automation workflow; it can also pull incidents from the XDR API.",
    settings: "pull.pageSize (1–200) and pull.lookbackMinutes tune the pull.",
  },
  "ai-activity": {
    label: "AI activity",
    about:
      "Events from AI-usage monitors (prompts, tool calls, uploads) in the ai-activity 1.0 or 1.1 format.",
    settings:
      "correlationWindowMs: detections of one actor (with none, one session, or else one policy) and application within it share a case.",
  },
  "cisco-ai-defense": {
    label: "Cisco AI Defense",
    about:
      "AI Defense runtime events: pushed in the shape of its Splunk export (HEC token or signed), or pulled from its Management API. Prompt text is never kept.",
    settings:
      "correlationWindowMs as for AI activity; pull.pageSize (1–100) and pull.lookbackMinutes tune the pull.",
    push: "In AI Defense's Splunk integration, give this URL as the HEC URL and the signing secret as the HEC token (Authorization: Splunk …).",
  },
  "cisco-secure-access": {
    label: "Cisco Secure Access",
    about:
      "Security events pushed by a Secure Access webhook (HTTP Basic, the connector's secret as password): AI Guardrails and other DLP events become alerts, other categories are acknowledged. Prompt text is never kept.",
    settings: "correlationWindowMs as for AI activity.",
    push: "In Secure Access, add a webhook integration with this URL, any user name, and the signing secret as its password (HTTP Basic).",
  },
  "m365-copilot": {
    label: "Microsoft 365 Copilot",
    about:
      "CopilotInteraction audit records pulled from the Office 365 Management Activity API: jailbreaks, cross-prompt injection in files Copilot read, and resources a policy kept out of its answers.",
    push: "Microsoft 365 does not push: Phoenix pulls with the app registration below. A relay may post content blobs here, signed as the example is.",
    settings:
      "correlationWindowMs as for AI activity; pull.lookbackHours (1–168) and pull.maxBlobs (1–500) tune the pull.",
  },
  ocsf: {
    label: "OCSF",
    about: "OCSF 1.x Detection Findings from any product that exports them.",
    settings: "correlationWindowMs: alerts of one rule on one asset within it share a case.",
  },
  jira: {
    label: "Jira (case changes)",
    about: "Jira's own webhooks: comments and transitions on the issues of synced cases, back into Phoenix.",
    settings:
      "signed, phoenix_account_id (comments by this account are Phoenix's own), statuses (Jira status → case state) and default_resolution.",
  },
};

export function connectorKindLabel(kind: string): string {
  return CONNECTOR_KIND[kind as ConnectorKind]?.label ?? kind;
}

/** Where a connector's source posts its webhooks, on the host the admin reached Phoenix by. */
export const ingestUrl = (requestUrl: string, connectorId: string) =>
  new URL(`/ingest/${connectorId}`, requestUrl).toString();
