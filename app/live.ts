// Live case changes in the browser: one reconnecting WebSocket per granted tenant (partysocket),
// opened after hydration, closed when the page goes away. Messages are case changes only; what a
// page shows is still read through its loader, with the person's permissions.
import ReconnectingWebSocket from "partysocket/ws";
import { useEffect, useRef, useState } from "react";
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

/** A small badge saying whether the page is following changes. */
export function liveLabel(status: LiveStatus): string {
  return status === "live" ? "Live" : status === "connecting" ? "Connecting…" : "Offline: reconnecting";
}
