// `/notifications`: what the signed-in person is told about their own work (a case assigned to
// them, a case of theirs about to breach, a customer's comment on a case they hold), newest first.
// The header's count reads this same loader; "Mark all as read" sets when the person last looked.
import { Form, Link } from "react-router";
import { markNotificationsSeen, notificationsFor } from "../../domain/case/notifications.ts";
import { tenantDatabase } from "../../domain/tenancy.ts";
import { CLOCK_NAME } from "../case-badges.tsx";
import { exactTime, relativeTime, useNow } from "../clock.tsx";
import { useLiveRefresh } from "../live.ts";
import { tenantsAllowing } from "../tenant-access.server.ts";
import {
  envOf,
  principalIn,
  requireSignedIn,
  signedInFormPost,
  withPhoenixErrors,
} from "../workbench.server.ts";
import type { Route } from "./+types/notifications";
import { useShell } from "./shell.tsx";

export const meta: Route.MetaFunction = () => [{ title: "Notifications · Phoenix" }];

export async function loader(args: Route.LoaderArgs) {
  const now = Date.now();
  return withPhoenixErrors(async () => {
    const signedIn = await requireSignedIn(args, now);
    const env = envOf(args);
    const tenants = tenantsAllowing(signedIn, "cases.read");
    const { items, unread } = await notificationsFor(
      {
        controlDb: env.CONTROL_DB,
        tenantDb: async (tenantId) => tenantDatabase(env, principalIn(signedIn, tenantId).tenant),
      },
      { id: signedIn.principal.id, seenAt: signedIn.principal.notificationsSeenAt },
      tenants.map((t) => t.id),
      now,
    );
    return { now, items, unread, tenants };
  });
}

export function action(args: Route.ActionArgs) {
  return signedInFormPost(args, async (signedIn, _form, now) => {
    await markNotificationsSeen(envOf(args).CONTROL_DB, signedIn.principal.id, now);
    return { ok: true as const };
  });
}

export default function NotificationsPage({ loaderData: data }: Route.ComponentProps) {
  const now = useNow(data.now);
  const shell = useShell();
  useLiveRefresh(
    data.tenants.map((t) => t.id),
    2000,
  );
  const tenantName = new Map(data.tenants.map((t) => [t.id, t.name]));
  return (
    <section aria-labelledby="notifications-title" className="mx-auto max-w-3xl">
      <header className="flex items-end justify-between gap-4 border-b border-line pb-3">
        <div>
          <h1 id="notifications-title" className="text-lg font-semibold tracking-tight">
            Notifications
          </h1>
          <p className="text-[13px] text-muted">
            Cases assigned to you, yours about to breach, and customer comments on cases you hold, from the
            last 7 days.
          </p>
        </div>
        {data.unread > 0 && (
          <Form method="post">
            <input type="hidden" name="csrf" value={shell.me?.csrfToken ?? ""} />
            <button
              type="submit"
              className="whitespace-nowrap rounded-md border border-line bg-surface px-2.5 py-1 text-[13px] font-medium hover:border-muted"
            >
              Mark all as read
            </button>
          </Form>
        )}
      </header>
      {data.items.length === 0 ? (
        <p className="mt-6 text-[13px] text-muted">Nothing for you right now.</p>
      ) : (
        <ol aria-label="Notifications, newest first" className="mt-2 divide-y divide-line">
          {data.items.map((n) => (
            <li key={n.id} className="flex gap-3 py-3" data-unread={n.unread || undefined}>
              <span
                aria-hidden
                className={`mt-1.5 h-2 w-2 shrink-0 rounded-full ${n.unread ? "bg-accent" : "bg-transparent"}`}
              />
              <div className="min-w-0 flex-1">
                <p className="text-[13px]">
                  <span className={`font-medium ${KIND_TONE[n.kind]}`}>{KIND_LABEL[n.kind]}</span>
                  {n.unread && <span className="sr-only"> (unread)</span>}
                  <span className="text-muted"> · {tenantName.get(n.tenantId) ?? n.tenantId}</span>
                </p>
                <Link
                  to={`/cases/${n.caseId}`}
                  className="block truncate text-[14px] font-medium hover:underline"
                >
                  {n.title}
                </Link>
                <p className="text-[12px] text-muted">
                  {n.kind === "assigned" && <>Assigned to you by {n.by}</>}
                  {n.kind === "breach_soon" && n.dueAt !== undefined && (
                    <>
                      Its {n.clock ? CLOCK_NAME[n.clock] : "SLA"} runs out{" "}
                      <time dateTime={new Date(n.dueAt).toISOString()} title={exactTime(n.dueAt)}>
                        {relativeTime(n.dueAt, now)}
                      </time>
                    </>
                  )}
                  {n.kind === "customer_comment" && <>“{n.excerpt}”</>}
                </p>
              </div>
              <time
                dateTime={new Date(n.at).toISOString()}
                title={exactTime(n.at)}
                className="shrink-0 text-[12px] text-faint"
              >
                {relativeTime(n.at, now)}
              </time>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

const KIND_LABEL = {
  assigned: "Assigned to you",
  breach_soon: "About to breach",
  customer_comment: "Customer comment",
} as const;

const KIND_TONE = {
  assigned: "text-info",
  breach_soon: "text-warn",
  customer_comment: "text-ok",
} as const;
