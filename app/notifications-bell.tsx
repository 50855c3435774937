// The header's way to notifications, with how many are unread. It reads /notifications' loader
// after hydration, again whenever a case of the person's tenants changes (a burst is one read),
// and every minute, since a case nears its deadline without anything happening to it.
import { useEffect, useRef } from "react";
import { Link, useFetcher } from "react-router";
import { useLiveBursts } from "./live.ts";
import type { loader } from "./routes/notifications.tsx";

const REREAD_MS = 60_000;
const BURST_MS = 2000;

export function NotificationsBell({ tenantIds }: { tenantIds: readonly string[] }) {
  const fetcher = useFetcher<typeof loader>();
  const load = useRef(fetcher.load);
  load.current = fetcher.load;
  useEffect(() => {
    load.current("/notifications");
    const every = setInterval(() => load.current("/notifications"), REREAD_MS);
    return () => clearInterval(every);
  }, []);
  useLiveBursts(tenantIds, BURST_MS, () => load.current("/notifications"));
  const unread = fetcher.data?.unread ?? 0;
  // The count is part of the link's visible name, and says what it counts to a screen reader.
  return (
    <Link
      to="/notifications"
      data-testid="notifications-link"
      aria-keyshortcuts="g n"
      className="relative rounded-md border border-line px-2 py-1 text-xs text-muted hover:text-ink"
    >
      Notifications
      {unread > 0 && (
        <>
          {" "}
          <span
            data-testid="notifications-count"
            className="rounded-full bg-accent px-1.5 py-px text-[11px] font-semibold text-accent-ink"
          >
            {unread > 99 ? "99+" : unread}
          </span>
          <span className="sr-only"> unread</span>
        </>
      )}
    </Link>
  );
}
