// The Salesforce sink (shared/contracts/salesforce): one Case per Phoenix case, upserted by the
// external id field, so a repeat, a duplicate or a lost answer writes the same Case again and
// never a second one. Salesforce says "slow down" with 403 REQUEST_LIMIT_EXCEEDED, not 429.
import { SALESFORCE_API_VERSION } from "./checks.ts";
import { SinkCallFailed } from "./delivery-errors.ts";
import { jsonOf } from "./outbound-call.ts";
import type { SinkRun } from "./sink-run.ts";

interface SalesforceConfig {
  instance_url: string;
  client_id: string;
  external_id_field: string;
  fields: Partial<
    Record<"title" | "description" | "state" | "severity" | "priority" | "tenant" | "case_url", string>
  >;
  values?: { state?: Partial<Record<string, string>>; priority?: Partial<Record<string, string>> };
}

export async function syncSalesforce(run: SinkRun): Promise<void> {
  const config = run.sink.config as unknown as SalesforceConfig;
  const { state, version } = await run.ctx.gateway.snapshot(run.ctx.tenantId, run.caseId);
  if (run.row?.externalId && version <= run.row.syncedVersion) return;

  const values: Record<string, string> = {
    title: state.title.slice(0, 255),
    description: (state.description || state.title).slice(0, 32_000),
    state: config.values?.state?.[state.status] ?? state.status,
    severity: state.severity,
    priority: config.values?.priority?.[state.priority] ?? state.priority,
    tenant: run.ctx.tenantId,
    case_url: run.caseUrl,
  };
  const body = JSON.stringify(
    Object.fromEntries(
      Object.entries(config.fields).map(([phoenix, field]) => [field, values[phoenix] ?? null]),
    ),
  );

  let session = await signIn(run, config);
  const caseUrl = () =>
    `${session.instance}/services/data/${SALESFORCE_API_VERSION}/sobjects/Case/${config.external_id_field}/${encodeURIComponent(run.caseId)}`;
  const upsert = () =>
    run.call(
      caseUrl(),
      {
        method: "PATCH",
        headers: {
          authorization: `Bearer ${session.token}`,
          "content-type": "application/json",
          accept: "application/json",
        },
        body,
      },
      [400, 401, 403, 404],
    );
  let response = await upsert();
  if (response.status === 401) {
    // The session ended (its lifetime is the integration user's): mint a new one, once.
    await response.body?.cancel();
    session = await signIn(run, config);
    response = await upsert();
  }
  if (response.status >= 400) throw await refusal(response);

  // 201 created and 200 updated carry the record id; an update may also answer 204 with no body,
  // and then the id is read by the external id once (the create's own answer may have been lost).
  let id =
    response.status === 204
      ? (run.row?.externalId ?? null)
      : ((await jsonOf<{ id?: string }>(response, "Salesforce upsert")).id ?? null);
  if (id === null) {
    const read = await run.call(
      `${caseUrl()}?fields=Id`,
      { headers: { authorization: `Bearer ${session.token}`, accept: "application/json" } },
      [400, 401, 403, 404],
    );
    // Read like the upsert: a spent allowance or an ended session is tried again, not given up.
    if (read.status >= 400) throw await refusal(read);
    id = (await jsonOf<{ Id?: string }>(read, "Salesforce Case read")).Id ?? null;
  }
  await run.save({
    ...(id ? { externalId: id, externalUrl: `${session.instance}/lightning/r/Case/${id}/view` } : {}),
    version,
  });
}

async function signIn(run: SinkRun, config: SalesforceConfig): Promise<{ instance: string; token: string }> {
  const minted = await jsonOf<{ access_token?: string; instance_url?: string }>(
    await run.call(`${config.instance_url.replace(/\/$/, "")}/services/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: config.client_id,
        client_secret: run.credentials.client_secret ?? "",
      }).toString(),
    }),
    "Salesforce's token endpoint",
  );
  // Calls go to the instance the token was minted for, which the guard checks like any other URL.
  return {
    instance: (minted.instance_url ?? config.instance_url).replace(/\/$/, ""),
    token: minted.access_token ?? "",
  };
}

/** A refusal in Salesforce's own words: a spent API allowance backs off; anything else needs an admin. */
async function refusal(response: Response): Promise<SinkCallFailed> {
  const body = (await response.json().catch(() => null)) as unknown;
  const errors = (Array.isArray(body) ? body : body ? [body] : []) as Array<{
    errorCode?: string;
    message?: string;
  }>;
  const first = errors[0];
  // The session ended (again): worth another try with a new one, not an admin's time yet.
  if (response.status === 401)
    return new SinkCallFailed("Salesforce ended the session (401 INVALID_SESSION_ID)", {
      permanent: false,
      status: 401,
    });
  if (errors.some((e) => e.errorCode === "REQUEST_LIMIT_EXCEEDED"))
    return new SinkCallFailed("Salesforce: the org's API request limit is spent (REQUEST_LIMIT_EXCEEDED)", {
      permanent: false,
      status: response.status,
    });
  return new SinkCallFailed(
    `Salesforce refused the upsert (${response.status}${first?.errorCode ? ` ${first.errorCode}` : ""}${first?.message ? `: ${first.message}` : ""})`,
    { permanent: true, status: response.status },
  );
}
