// The demo tenant's source connectors, one per kind, and the sample deliveries for each in
// scripts/seed/webhooks/. `npm start` creates the connectors through the API (looked up by name, so a
// restart reuses them) and prints one `webhook send` command per sample: a newcomer's first signed
// webhook is a copy-paste. Each sample maps without quarantine; sending one twice shows dedup.

export type DemoConnectorKind = "cisco-xdr" | "ai-activity" | "ocsf";

export interface DemoConnector {
  kind: DemoConnectorKind;
  name: string;
  /** Paths relative to the project root, where `npm run` runs. */
  samples: string[];
}

const SAMPLES_DIR = "scripts/seed/webhooks";

export const DEMO_CONNECTORS: readonly DemoConnector[] = [
  {
    kind: "cisco-xdr",
    name: "Demo Cisco XDR",
    samples: [
      // IROH Event envelope: private-intel/incident/created carrying the CTIM incident (one alert).
      `${SAMPLES_DIR}/cisco-xdr-incident.json`,
      // CTIM bundle: 2 sightings member-of 1 incident (three alerts, one case).
      `${SAMPLES_DIR}/cisco-xdr-bundle.json`,
      // CTIM bundle of intelligence: a Talos judgement (Malicious) based on an indicator.
      `${SAMPLES_DIR}/cisco-xdr-intel.json`,
      // incident/updated: XDR raises the first incident to Critical and assigns it (a source update).
      `${SAMPLES_DIR}/cisco-xdr-incident-updated.json`,
      // incident/status-changed: XDR closes the bundle's incident as a false positive (a suggestion).
      `${SAMPLES_DIR}/cisco-xdr-incident-closed.json`,
    ],
  },
  {
    kind: "ai-activity",
    name: "Demo AI activity",
    // NDJSON, ai-activity 1.0: three events, four detections (one alert per detection).
    samples: [`${SAMPLES_DIR}/ai-activity.ndjson`],
  },
  {
    kind: "ocsf",
    name: "Demo OCSF",
    // One native OCSF 1.8 Detection Finding, stored as it came.
    samples: [`${SAMPLES_DIR}/ocsf-finding.json`],
  },
];

export function webhookSendCommand(connectorId: string, sample: string): string {
  return `npm run phoenix -- webhook send ${connectorId} ${sample}`;
}
