// How Phoenix signs in to a Jira site (shared/contracts/jira/README.md, "Auth"): an API token as
// Basic auth against the site itself, or OAuth 2.0 (3LO), where a refresh token buys an access
// token for api.atlassian.com's per-site gateway.

export const ATLASSIAN_TOKEN_URL = "https://auth.atlassian.com/oauth/token";

export type JiraAuth =
  | { type: "api_token"; email: string }
  | { type: "oauth2"; client_id: string; cloud_id: string };

export interface JiraConfig {
  site_url: string;
  auth: JiraAuth;
  project_key: string;
  issue_type: string;
  send: { min_severity: string; customer_visible_only: boolean };
  priorities: Partial<Record<string, string>>;
  custom_fields: Partial<Record<"severity" | "tenant" | "case_url" | "sla_due", string>>;
  transitions: Partial<Record<string, string>>;
  comments: "customer" | "all" | "none";
}

export interface JiraSession {
  /** Where REST paths (/rest/api/3/…) are appended. */
  base: string;
  authorization: string;
}

/** Where people open an issue: always the site itself, whichever way the API is reached. */
export const issueUrl = (config: JiraConfig, key: string) =>
  `${config.site_url.replace(/\/$/, "")}/browse/${encodeURIComponent(key)}`;

/** The OAuth refresh request, when the sink signs in that way. */
export function oauthRefresh(
  config: JiraConfig,
  credentials: { client_secret?: string; refresh_token?: string },
): RequestInit | null {
  if (config.auth.type !== "oauth2") return null;
  return {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "refresh_token",
      client_id: config.auth.client_id,
      client_secret: credentials.client_secret,
      refresh_token: credentials.refresh_token,
    }),
  };
}

/** The session for an API token; OAuth sessions come from `oauthSession` with a fresh access token. */
export function apiTokenSession(config: JiraConfig, credentials: { api_token?: string }): JiraSession {
  const email = config.auth.type === "api_token" ? config.auth.email : "";
  return {
    base: config.site_url.replace(/\/$/, ""),
    authorization: `Basic ${btoa(`${email}:${credentials.api_token ?? ""}`)}`,
  };
}

export function oauthSession(config: JiraConfig, accessToken: string): JiraSession {
  const cloudId = config.auth.type === "oauth2" ? config.auth.cloud_id : "";
  return {
    base: `https://api.atlassian.com/ex/jira/${encodeURIComponent(cloudId)}`,
    authorization: `Bearer ${accessToken}`,
  };
}
