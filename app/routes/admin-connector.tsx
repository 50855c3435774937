// `/admin/connectors/:connectorId`: one source connector. Where to send deliveries, with a signed
// example curl to try the path end to end; the signing secret's rotation and grace; the kind's
// settings; a pulling connector's credentials and state (Cisco XDR here, AI Defense and Microsoft 365
// in vendor-pull.tsx); and its quarantine, item by item,
// with a replay for each. The same domain services and audit as /v1/connectors and /v1/quarantine.
import { Form, Link, useActionData } from "react-router";
import { actorOf, requirePermission } from "../../domain/auth/principal.ts";
import { type AiDefenseRegion, setAiDefensePullKey } from "../../domain/connectors/ai-defense-pull.ts";
import {
  curlCommand,
  hasExampleDelivery,
  signedExampleDelivery,
} from "../../domain/connectors/example-delivery.ts";
import { setM365PullCredentials } from "../../domain/connectors/m365-pull.ts";
import {
  DEFAULT_ROTATION_GRACE_MS,
  getConnector,
  isRecord,
  rotateConnectorSecret,
  toConnectorView,
  updateConnector,
} from "../../domain/connectors/service.ts";
import {
  setXdrPullCredentials,
  XDR_REGIONS,
  type XdrPullRun,
  type XdrRegion,
  xdrBudgetUsage,
} from "../../domain/connectors/xdr-pull.ts";
import { AI_DEFENSE_REGIONS } from "../../domain/ingest/kinds/cisco-ai-defense/index.ts";
import { validateConnectorConfig } from "../../domain/ingest/kinds/index.ts";
import { listQuarantine } from "../../domain/ingest/quarantine.ts";
import { decryptSecret } from "../../domain/secrets.ts";
import { replayQuarantinedFor } from "../../durable-objects/quarantine-replay.ts";
import { orRefusal, type Refusal, refusal } from "../admin-actions.server.ts";
import {
  adminButton as button,
  adminField as field,
  adminHeading as heading,
  JsonSettings,
  NameAndState,
  adminPanel as panel,
} from "../admin-forms.tsx";
import { AdminHeader, AdminOutcome } from "../admin-nav.tsx";
import { exactTime, relativeTime, shortDuration, useNow } from "../clock.tsx";
import { CONNECTOR_KIND, connectorKindLabel, ingestUrl } from "../connector-kinds.ts";
import { CopyButton } from "../copy-button.tsx";
import { tenantAccess } from "../tenant-access.server.ts";
import { AiDefensePullPanel, M365PullPanel, vendorPullView } from "../vendor-pull.tsx";
import { signedInFormPost, withPhoenixErrors } from "../workbench.server.ts";
import type { Route } from "./+types/admin-connector";
import { useShell } from "./shell.tsx";

export const meta: Route.MetaFunction = ({ loaderData }) => [
  { title: `${loaderData?.connector.name ?? "Connector"} · Connectors · Phoenix` },
];

// A rotated secret is in one response only; the example's signature is fresh on every load.
export const headers: Route.HeadersFunction = () => ({ "Cache-Control": "no-store" });

const GRACE_CHOICES = [
  { seconds: 0, label: "None: the old secret stops at once" },
  { seconds: 3600, label: "1 hour" },
  { seconds: DEFAULT_ROTATION_GRACE_MS / 1000, label: "24 hours" },
  { seconds: 7 * 86_400, label: "7 days" },
] as const;

/** The part of `config` an admin edits here: the pull's credentials, cursor and last run have their own paths. */
function editableConfig(config: Record<string, unknown>): Record<string, unknown> {
  if (!isRecord(config.pull)) return config;
  const { pageSize, lookbackMinutes, lookbackHours, maxBlobs } = config.pull;
  const tuning = Object.fromEntries(
    Object.entries({ pageSize, lookbackMinutes, lookbackHours, maxBlobs }).filter(([, v]) => v !== undefined),
  );
  const { pull: _pull, ...rest } = config;
  return Object.keys(tuning).length > 0 ? { ...rest, pull: tuning } : rest;
}

export async function loader(args: Route.LoaderArgs) {
  const now = Date.now();
  return withPhoenixErrors(async () => {
    const requested = new URL(args.request.url).searchParams.get("tenant");
    const { principal, env, db, tenants } = await tenantAccess(args, "connectors.manage", requested, now);
    const row = await getConnector(env.CONTROL_DB, principal.tenant.id, args.params.connectorId);
    const view = toConnectorView(row);
    const url = ingestUrl(args.request.url, row.id);
    const kind = row.kind;
    const example = hasExampleDelivery(kind)
      ? signedExampleDelivery(
          { id: row.id, kind, name: row.name },
          url,
          await decryptSecret(row.secretCiphertext, env.SECRETS_ENCRYPTION_KEY, row.id),
          crypto.randomUUID(),
          now,
        )
      : null;
    const pull = kind === "cisco-xdr" && isRecord(view.config.pull) ? view.config.pull : null;
    const budget =
      pull && typeof pull.region === "string" && typeof pull.orgId === "string"
        ? await xdrBudgetUsage(env.CONTROL_DB, pull.region, pull.orgId, now)
        : null;
    const quarantine = await listQuarantine(db, { limit: 25, includeReplayed: false, connectorId: row.id });
    return {
      now,
      tenant: { id: principal.tenant.id, name: principal.tenant.name },
      tenants,
      connector: {
        id: row.id,
        kind,
        name: row.name,
        status: row.status,
        createdAt: row.createdAt,
        updatedAt: row.updatedAt,
        previousSecretExpiresAt: row.previousSecretExpiresAt,
        settings: JSON.stringify(editableConfig(view.config), null, 2),
      },
      ingestUrl: url,
      example: example && {
        curl: curlCommand(example),
        title: example.title,
        signedAt: now,
        expiresAt: example.expiresAt,
      },
      pull: pull && {
        region: typeof pull.region === "string" ? pull.region : null,
        orgId: typeof pull.orgId === "string" ? pull.orgId : null,
        clientId: typeof pull.clientId === "string" ? pull.clientId : null,
        hasPassword: pull.has_client_password === true,
        cursor: isRecord(pull.cursor)
          ? {
              since: String(pull.cursor.since ?? ""),
              seen: Array.isArray(pull.cursor.seen) ? pull.cursor.seen.length : 0,
            }
          : null,
        lastRun: isRecord(pull.lastRun) ? (pull.lastRun as unknown as XdrPullRun) : null,
      },
      budget,
      vendorPull:
        (kind === "cisco-ai-defense" || kind === "m365-copilot") && isRecord(view.config.pull)
          ? vendorPullView(view.config.pull)
          : null,
      quarantine: quarantine.items.map((q) => ({
        id: q.id,
        reason: q.reason,
        details: q.details ?? null,
        payload:
          q.payload.length > 20_000
            ? `${q.payload.slice(0, 20_000)}\n… (cut at 20,000 characters)`
            : q.payload,
        receivedAt: q.receivedAt,
      })),
      moreQuarantined: quarantine.nextCursor !== null,
    };
  });
}

type Done = { ok: true; message: string; secret?: string };

export function action(args: Route.ActionArgs) {
  return signedInFormPost(args, async (_signedIn, form, now): Promise<Done | Refusal> => {
    const { principal, env } = await tenantAccess(
      args,
      "connectors.manage",
      String(form.get("tenant") ?? "") || null,
      now,
    );
    const tenantId = principal.tenant.id;
    const id = args.params.connectorId;
    const db = env.CONTROL_DB;
    const actor = actorOf(principal);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    return orRefusal(async (): Promise<Done | Refusal> => {
      switch (form.get("intent")) {
        case "rename": {
          const name = text("name");
          if (!name || name.length > 200)
            return refusal("The name needs attention.", [
              { field: "name", message: "give the connector a name (up to 200 characters)" },
            ]);
          await updateConnector(db, tenantId, id, { name }, now, actor);
          return { ok: true, message: `Renamed to ${name}` };
        }
        case "disable":
        case "enable": {
          const status = form.get("intent") === "disable" ? "disabled" : "active";
          const view = await updateConnector(db, tenantId, id, { status }, now, actor);
          return {
            ok: true,
            message:
              status === "disabled"
                ? `${view.name} is disabled: its deliveries are refused until it is enabled`
                : `${view.name} is enabled: it takes deliveries again`,
          };
        }
        case "settings": {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text("settings") || "{}");
          } catch (error) {
            return refusal("The settings are not JSON.", [
              { field: "settings", message: error instanceof Error ? error.message : "not JSON" },
            ]);
          }
          if (!isRecord(parsed))
            return refusal("The settings must be a JSON object.", [
              { field: "settings", message: "must be an object, such as {}" },
            ]);
          const { kind } = await getConnector(db, tenantId, id);
          await updateConnector(
            db,
            tenantId,
            id,
            { config: validateConnectorConfig(kind, parsed) },
            now,
            actor,
          );
          return { ok: true, message: "Settings saved" };
        }
        case "rotate": {
          const grace = Number(form.get("grace_seconds"));
          if (!GRACE_CHOICES.some((c) => c.seconds === grace))
            return refusal("Choose how long the old secret keeps verifying.", [
              { field: "grace_seconds", message: "choose one of the offered periods" },
            ]);
          const { secret } = await rotateConnectorSecret(
            db,
            env.SECRETS_ENCRYPTION_KEY,
            tenantId,
            id,
            grace * 1000,
            now,
            actor,
          );
          return {
            ok: true,
            message:
              grace === 0
                ? "Rotated: only the new secret verifies from now on"
                : `Rotated: the old secret keeps verifying for ${shortDuration(grace * 1000)}`,
            secret,
          };
        }
        case "xdr-pull": {
          const region = text("region");
          const credentials = {
            region: region as XdrRegion,
            orgId: text("org_id"),
            clientId: text("client_id"),
            clientPassword: String(form.get("client_password") ?? ""),
          };
          const missing = [
            ...(XDR_REGIONS.includes(region as XdrRegion)
              ? []
              : [{ field: "region", message: "choose a region" }]),
            ...(["orgId", "clientId", "clientPassword"] as const)
              .filter((k) => !credentials[k] || credentials[k].length > 500)
              .map((k) => ({ field: k, message: "is required (up to 500 characters)" })),
          ];
          if (missing.length > 0) return refusal("The pull credentials need attention.", missing);
          await setXdrPullCredentials(db, env.SECRETS_ENCRYPTION_KEY, tenantId, id, credentials, now, actor);
          return { ok: true, message: "Pull credentials saved: the next scheduled pull signs in with them" };
        }
        case "ai-defense-pull": {
          const region = text("region");
          const apiKey = String(form.get("api_key") ?? "").trim();
          const missing = [
            ...(AI_DEFENSE_REGIONS.includes(region as AiDefenseRegion)
              ? []
              : [{ field: "region", message: "choose a region" }]),
            ...(apiKey === "" || apiKey.length > 500
              ? [{ field: "api_key", message: "is required (up to 500 characters)" }]
              : []),
          ];
          if (missing.length > 0) return refusal("The pull key needs attention.", missing);
          await setAiDefensePullKey(
            db,
            env.SECRETS_ENCRYPTION_KEY,
            tenantId,
            id,
            { apiKey, region: region as AiDefenseRegion },
            now,
            actor,
          );
          return { ok: true, message: "Pull key saved: the next scheduled pull lists events with it" };
        }
        case "m365-pull": {
          const settings = {
            tenantId: text("tenant_id"),
            clientId: text("client_id"),
            clientSecret: String(form.get("client_secret") ?? ""),
            publisherId: text("publisher_id") || undefined,
          };
          const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
          const missing = [
            ...(uuid.test(settings.tenantId)
              ? []
              : [{ field: "tenant_id", message: "must be the tenant's id (a GUID)" }]),
            ...(uuid.test(settings.clientId)
              ? []
              : [{ field: "client_id", message: "must be the application id (a GUID)" }]),
            ...(settings.clientSecret === "" || settings.clientSecret.length > 500
              ? [{ field: "client_secret", message: "is required (up to 500 characters)" }]
              : []),
            ...(settings.publisherId === undefined || uuid.test(settings.publisherId)
              ? []
              : [{ field: "publisher_id", message: "must be a tenant id (a GUID)" }]),
          ];
          if (missing.length > 0) return refusal("The app registration needs attention.", missing);
          await setM365PullCredentials(db, env.SECRETS_ENCRYPTION_KEY, tenantId, id, settings, now, actor);
          return { ok: true, message: "App registration saved: the next scheduled pull signs in with it" };
        }
        case "replay": {
          requirePermission(principal, "quarantine.replay");
          const outcome = await replayQuarantinedFor(env, principal.tenant, text("item"), now);
          return outcome.quarantined > 0
            ? refusal(
                `Still quarantined: the item does not map yet (${outcome.accepted} accepted, ${outcome.quarantined} kept)`,
              )
            : {
                ok: true,
                message: `Replayed: ${outcome.accepted} alert${outcome.accepted === 1 ? "" : "s"} stored, ${outcome.duplicates} duplicate${outcome.duplicates === 1 ? "" : "s"}`,
              };
        }
        default:
          return refusal("Nothing to do.");
      }
    });
  });
}

export default function AdminConnectorPage({ loaderData: data }: Route.ComponentProps) {
  const now = useNow(data.now);
  const shell = useShell();
  const result = useActionData<typeof action>();
  const c = data.connector;
  const hidden = (
    <>
      <input type="hidden" name="csrf" value={shell.me?.csrfToken ?? ""} />
      <input type="hidden" name="tenant" value={data.tenant.id} />
    </>
  );
  const inGrace = c.previousSecretExpiresAt !== null && c.previousSecretExpiresAt > now;
  const kind = CONNECTOR_KIND[c.kind as keyof typeof CONNECTOR_KIND];
  return (
    <section aria-labelledby="admin-title" className="mx-auto max-w-6xl">
      <AdminHeader title="Connectors" tenant={data.tenant} tenants={data.tenants} />
      <div className="mt-3 flex flex-wrap items-center gap-x-3 gap-y-1">
        <Link
          to={`/admin/connectors?tenant=${data.tenant.id}`}
          className="text-[13px] text-muted hover:text-ink"
        >
          ← All connectors
        </Link>
        <h2 className="text-base font-semibold">{c.name}</h2>
        <span className="rounded bg-raised px-1.5 py-0.5 text-[12px]">{connectorKindLabel(c.kind)}</span>
        <span className={`text-[12px] font-medium ${c.status === "active" ? "text-ok" : "text-muted"}`}>
          {c.status === "active" ? "Active" : "Disabled"}
        </span>
        <span className="font-mono text-[11px] text-faint">{c.id}</span>
      </div>
      {result && (
        <AdminOutcome ok={result.ok} message={result.message} fields={result.ok ? [] : result.fields}>
          {result.ok && result.secret && (
            <div className="mt-2 text-ink">
              <p>Copy the new signing secret now: Phoenix will not show it again.</p>
              <p className="mt-1 flex items-center gap-2">
                <code data-secret className="select-all break-all font-mono text-[12px]">
                  {result.secret}
                </code>
                <CopyButton text={result.secret} label="Copy the new signing secret" />
              </p>
            </div>
          )}
        </AdminOutcome>
      )}

      <div className="mt-4 grid gap-4 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="flex min-w-0 flex-col gap-4">
          <section aria-labelledby="deliveries" className={panel}>
            <h3 id="deliveries" className={heading}>
              Where the source sends deliveries
            </h3>
            <p className="mt-1 text-[12px] text-muted">{kind?.about}</p>
            <div className="mt-2 flex items-center gap-2">
              <code
                data-testid="ingest-url"
                className="select-all break-all rounded bg-raised px-2 py-1 font-mono text-[12px]"
              >
                {data.ingestUrl}
              </code>
              <CopyButton text={data.ingestUrl} label="Copy the ingest URL" />
            </div>
            {data.example ? (
              <>
                <div className="mt-3 flex items-end justify-between gap-2">
                  <div>
                    <h4 className="text-[12px] font-medium text-ink">
                      Example delivery, signed with the current secret
                    </h4>
                    <p className="text-[12px] text-muted">
                      Paste it into a shell: it sends “{data.example.title}”, which becomes an alert and a
                      case. The signature is good until{" "}
                      <time
                        dateTime={new Date(data.example.expiresAt).toISOString()}
                        title={exactTime(data.example.expiresAt)}
                      >
                        {relativeTime(data.example.expiresAt, now).replace(/^in /, "")} from now
                      </time>
                      ; reload the page for a fresh one.
                    </p>
                  </div>
                  <CopyButton text={data.example.curl} label="Copy the example curl" />
                </div>
                <pre
                  data-testid="example-curl"
                  className="mt-2 max-h-72 overflow-auto whitespace-pre-wrap break-all rounded-md bg-raised p-2 font-mono text-[11px] leading-snug"
                >
                  {data.example.curl}
                </pre>
                <p className="mt-2 text-[12px] text-muted">
                  Deliveries are signed per Standard Webhooks: <code>webhook-id</code>,{" "}
                  <code>webhook-timestamp</code> (within 5 minutes) and <code>webhook-signature</code>, an
                  HMAC-SHA256 with the secret shown when the connector was added or last rotated.
                </p>
                {kind?.push && <p className="mt-2 text-[12px] text-muted">{kind.push}</p>}
              </>
            ) : (
              <p className="mt-2 text-[12px] text-muted">
                In Jira, add a webhook for issue updates and comments with this URL and the signing secret;
                Jira signs each delivery with <code>x-hub-signature</code>.
              </p>
            )}
          </section>

          <section aria-labelledby="quarantine-heading" id="quarantine" className={panel}>
            <h3 className={heading}>
              <span id="quarantine-heading">Quarantine</span>{" "}
              <span className="font-normal text-muted">
                {data.quarantine.length === 0
                  ? "· empty"
                  : `· ${data.quarantine.length}${data.moreQuarantined ? "+" : ""} waiting`}
              </span>
            </h3>
            <p className="mt-1 text-[12px] text-muted">
              Deliveries kept as they came because they could not be mapped (or were over the daily quota).
              Fix the cause, then replay: each item is ingested exactly once.
            </p>
            {data.quarantine.length > 0 && (
              <ul className="mt-2 divide-y divide-line">
                {data.quarantine.map((q) => (
                  <li key={q.id} className="py-2" aria-label={`Quarantined ${q.id}`}>
                    <div className="flex flex-wrap items-start justify-between gap-2">
                      <div className="min-w-0">
                        <p className="text-[13px] font-medium text-bad">{q.reason}</p>
                        <p className="text-[11px] text-faint" title={exactTime(q.receivedAt)}>
                          <span className="font-mono">{q.id}</span> · received{" "}
                          {relativeTime(q.receivedAt, now)}
                        </p>
                      </div>
                      <Form method="post">
                        {hidden}
                        <input type="hidden" name="intent" value="replay" />
                        <input type="hidden" name="item" value={q.id} />
                        <button type="submit" className={button} aria-label={`Replay ${q.id}`}>
                          Replay
                        </button>
                      </Form>
                    </div>
                    {Array.isArray(q.details?.errors) && (
                      <ul className="mt-1 list-disc pl-5 text-[12px] text-muted">
                        {(q.details.errors as { field?: string; message?: string }[]).slice(0, 8).map((e) => (
                          <li key={`${e.field}:${e.message}`}>
                            <code>{e.field}</code> {e.message}
                          </li>
                        ))}
                      </ul>
                    )}
                    <details className="mt-1">
                      <summary className="cursor-pointer text-[12px] text-muted hover:text-ink">
                        Payload
                      </summary>
                      <pre className="mt-1 max-h-64 overflow-auto whitespace-pre-wrap break-all rounded-md bg-raised p-2 font-mono text-[11px]">
                        {q.payload}
                      </pre>
                    </details>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>

        <div className="flex flex-col gap-4">
          <NameAndState
            hidden={hidden}
            name={c.name}
            active={c.status === "active"}
            activeText="Taking deliveries."
            disabledText="Disabled: deliveries are refused and the pull stops."
          >
            <p className="mt-2 text-[11px] text-faint" title={exactTime(c.createdAt)}>
              Added {relativeTime(c.createdAt, now)}; changed {relativeTime(c.updatedAt, now)}
            </p>
          </NameAndState>

          <section aria-labelledby="secret" className={panel}>
            <h3 id="secret" className={heading}>
              Signing secret
            </h3>
            <p className="mt-1 text-[12px] text-muted">
              {inGrace && c.previousSecretExpiresAt !== null ? (
                <>
                  Rotated: the previous secret still verifies until{" "}
                  <strong className="text-warn">{exactTime(c.previousSecretExpiresAt)}</strong> (
                  {relativeTime(c.previousSecretExpiresAt, now)}), so the source can switch without losing
                  deliveries.
                </>
              ) : (
                "One secret verifies deliveries. Rotating mints a new one; the old one can keep verifying for a while."
              )}
            </p>
            <Form method="post" className="mt-2 flex items-end gap-2 text-[12px] text-muted">
              {hidden}
              <input type="hidden" name="intent" value="rotate" />
              <label className="flex min-w-0 flex-1 flex-col">
                Old secret keeps verifying for
                <select
                  name="grace_seconds"
                  defaultValue={DEFAULT_ROTATION_GRACE_MS / 1000}
                  className={field}
                >
                  {GRACE_CHOICES.map((g) => (
                    <option key={g.seconds} value={g.seconds}>
                      {g.label}
                    </option>
                  ))}
                </select>
              </label>
              <button type="submit" className={button}>
                Rotate
              </button>
            </Form>
          </section>

          <JsonSettings
            hidden={hidden}
            title="Settings"
            help={kind?.settings}
            intent="settings"
            field="settings"
            value={c.settings}
            rows={6}
            save="Save settings"
          />

          {c.kind === "cisco-ai-defense" && (
            <AiDefensePullPanel pull={data.vendorPull} now={now} hidden={hidden} />
          )}
          {c.kind === "m365-copilot" && <M365PullPanel pull={data.vendorPull} now={now} hidden={hidden} />}

          {c.kind === "cisco-xdr" && (
            <section aria-labelledby="pull" className={panel}>
              <h3 id="pull" className={heading}>
                Pull from the XDR API
              </h3>
              <PullState pull={data.pull} budget={data.budget} now={now} />
              <Form method="post" className="mt-3 grid gap-2 text-[12px] text-muted" autoComplete="off">
                {hidden}
                <input type="hidden" name="intent" value="xdr-pull" />
                <label className="flex flex-col">
                  Region
                  <select name="region" defaultValue={data.pull?.region ?? "us"} className={field}>
                    {XDR_REGIONS.map((r) => (
                      <option key={r} value={r}>
                        {r.toUpperCase()}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="flex flex-col">
                  Organisation id
                  <input name="org_id" required defaultValue={data.pull?.orgId ?? ""} className={field} />
                </label>
                <label className="flex flex-col">
                  API client id
                  <input
                    name="client_id"
                    required
                    defaultValue={data.pull?.clientId ?? ""}
                    className={field}
                  />
                </label>
                <label className="flex flex-col">
                  API client password{" "}
                  {data.pull?.hasPassword && <span>(stored; enter it again to change any of these)</span>}
                  <input name="client_password" type="password" required className={field} />
                </label>
                <div className="flex justify-end">
                  <button type="submit" className={button}>
                    Save pull credentials
                  </button>
                </div>
              </Form>
            </section>
          )}
        </div>
      </div>
    </section>
  );
}

function PullState({
  pull,
  budget,
  now,
}: {
  pull: Route.ComponentProps["loaderData"]["pull"];
  budget: Route.ComponentProps["loaderData"]["budget"];
  now: number;
}) {
  if (!pull?.hasPassword) {
    return (
      <p className="mt-1 text-[12px] text-muted">
        Not pulling: push only. Give Phoenix an XDR API client (read access to incidents and sightings) to
        pull incidents every few minutes as well.
      </p>
    );
  }
  const run = pull.lastRun;
  return (
    <dl className="mt-2 grid grid-cols-[max-content_minmax(0,1fr)] gap-x-3 gap-y-1 text-[12px]">
      <dt className="text-muted">Signs in as</dt>
      <dd className="break-all">
        {pull.clientId} · org {pull.orgId} ({pull.region?.toUpperCase()})
      </dd>
      <dt className="text-muted">Cursor</dt>
      <dd>
        {pull.cursor ? (
          <>
            changes since <time title={pull.cursor.since}>{exactTime(Date.parse(pull.cursor.since))}</time>
            {pull.cursor.seen > 0 && `, ${pull.cursor.seen} at that moment already stored`}
          </>
        ) : (
          "not started: the first pull looks back over the lookback window"
        )}
      </dd>
      <dt className="text-muted">Last run</dt>
      <dd>
        {run ? (
          <>
            <span
              className={
                run.status === "failed"
                  ? "font-medium text-bad"
                  : run.status === "done"
                    ? "text-ok"
                    : "text-warn"
              }
            >
              {PULL_STATUS[run.status] ?? run.status}
            </span>{" "}
            <span title={exactTime(run.at)}>{relativeTime(run.at, now)}</span>: {run.incidents} incident
            {run.incidents === 1 ? "" : "s"}, {run.accepted} alert{run.accepted === 1 ? "" : "s"} stored,{" "}
            {run.requests} request{run.requests === 1 ? "" : "s"}
            {run.error && <span className="block text-bad">{run.error}</span>}
          </>
        ) : (
          "none yet"
        )}
      </dd>
      {budget && (
        <>
          <dt className="text-muted">Budget</dt>
          <dd>
            {budget.used} of {budget.limit} requests this window (resets{" "}
            {relativeTime(budget.windowEndsAt, now)}), shared by every connector of the org
            {budget.pausedUntil !== null && (
              <span className="block text-warn">
                XDR asked Phoenix to hold off until {exactTime(budget.pausedUntil)}
              </span>
            )}
          </dd>
        </>
      )}
    </dl>
  );
}

const PULL_STATUS: Record<string, string> = {
  done: "Up to date",
  more: "More to fetch next run",
  rate_limited: "Rate limited by XDR",
  budget_exhausted: "Request budget spent",
  conflict: "Overtaken by another run",
  failed: "Failed",
};
