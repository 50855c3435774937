// Live case changes in the browser: one reconnecting WebSocket per granted tenant (partysocket),
// opened after hydration, closed when the page goes away. Messages are case changes only; what a
// page shows is still read through its loader, with the person's permissions.
import ReconnectingWebSocket from "partysocket/ws";
import { useEffect, useRef, useState } from "react";
import { useRevalidator } from "react-router";
import type { LiveCaseChange } from "../domain/case/live.ts";

export type LiveStatus = "connecting" | "live" | "offline";

export function useLiveChanges(
  tenantIds: readonly string[],
  onChange: (change: LiveCaseChange) => void,
): LiveStatus {
  const handler = useRef(onChange);
  handler.current = onChange;
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const key = [...tenantIds].sort().join(",");
  useEffect(() => {
    const ids = key ? key.split(",") : [];
    const open = new Set<string>();
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const sockets = ids.map((tenantId) => {
      const socket = new ReconnectingWebSocket(`${scheme}://${location.host}/live/${tenantId}`, [], {
        maxReconnectionDelay: 15_000,
      });
      socket.addEventListener("open", () => {
        open.add(tenantId);
        setStatus(open.size === ids.length ? "live" : "connecting");
      });
      socket.addEventListener("close", () => {
        open.delete(tenantId);
        setStatus("offline");
      });
      socket.addEventListener("message", (event) => {
        let message: { kind?: string };
        try {
          message = JSON.parse(String(event.data));
        } catch {
          return;
        }
        if (message.kind === "case.changed") handler.current(message as LiveCaseChange);
      });
      return socket;
    });
    return () => {
      for (const socket of sockets) socket.close();
    };
  }, [key]);
  return status;
}

/**
 * Re-reads the page's data when cases of `tenantIds` change: a burst of changes within `delayMs`
 * is one re-read. What the page shows still comes through its loader, with the person's grants.
 */
export function useLiveRefresh(tenantIds: readonly string[], delayMs: number): LiveStatus {
  const revalidator = useRevalidator();
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (pending.current) clearTimeout(pending.current);
    },
    [],
  );
  return useLiveChanges(tenantIds, () => {
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      revalidator.revalidate();
    }, delayMs);
  });
}

/** A small badge saying whether the page is following changes. */
export function liveLabel(status: LiveStatus): string {
  return status === "live" ? "Live" : status === "connecting" ? "Connecting…" : "Offline: reconnecting";
}
