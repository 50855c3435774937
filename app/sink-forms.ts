// How the workbench names each sink kind, the configuration a new one starts from, and reading a
// sink form's configuration and write-only credentials.
import type { SinkCredentials, SinkKind } from "../domain/sinks/config.ts";

export const SINK_KIND: Record<
  SinkKind,
  {
    label: string;
    about: string;
    template: Record<string, unknown>;
    credentials: { name: keyof SinkCredentials; label: string }[];
  }
> = {
  jira: {
    label: "Jira Cloud",
    about:
      "Each case becomes an issue in a project, kept up to date: state as transitions, customer comments as comments. api_token auth needs the bot's email; oauth2 needs client_id and cloud_id.",
    template: {
      site_url: "https://acme.atlassian.net",
      auth: { type: "api_token", email: "soc-bot@acme.example" },
      project_key: "SOC",
      issue_type: "Incident",
    },
    credentials: [
      { name: "api_token", label: "API token (api_token auth)" },
      { name: "client_secret", label: "Client secret (oauth2)" },
      { name: "refresh_token", label: "Refresh token (oauth2)" },
    ],
  },
  salesforce: {
    label: "Salesforce",
    about:
      "Each case is upserted as a Salesforce Case by an external id field, signing in with the client credentials flow.",
    template: {
      instance_url: "https://acme.my.salesforce.com",
      client_id: "connected-app-consumer-key",
      external_id_field: "Phoenix_Case_Id__c",
    },
    credentials: [{ name: "client_secret", label: "Client secret" }],
  },
  platform: {
    label: "Platform webhook",
    about: "Each case event is POSTed to the Platform, signed per Standard Webhooks.",
    template: { url: "https://platform.example/webhooks/phoenix", event_types: ["case.*"] },
    credentials: [],
  },
};

export type ConfigRead = { ok: true; value: unknown } | { ok: false; message: string };

/** The form's `config` as JSON: a syntax error is named, never thrown. */
export function configFromForm(form: FormData): ConfigRead {
  try {
    return { ok: true, value: JSON.parse(String(form.get("config") ?? "")) };
  } catch (error) {
    return { ok: false, message: `is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The credentials typed into the form; empty fields are left out. */
export function credentialsFromForm(form: FormData): SinkCredentials {
  const given: SinkCredentials = {};
  for (const name of ["api_token", "client_secret", "refresh_token"] as const) {
    const value = String(form.get(name) ?? "");
    if (value) given[name] = value;
  }
  return given;
}
