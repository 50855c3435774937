// Live case changes in the browser: one reconnecting WebSocket per granted tenant (partysocket),
// opened after hydration, closed when the page goes away. Messages are case changes only; what a
// page shows is still read through its loader, with the person's permissions.
import ReconnectingWebSocket from "partysocket/ws";
import { useEffect, useRef, useState } from "react";
import { useRevalidator } from "react-router";
import type { LiveCaseChange } from "../domain/case/live.ts";

export type LiveStatus = "connecting" | "live" | "offline";

// One socket per tenant for the whole page, however many parts of it listen (the header's
// notifications and the page itself): opened by the first listener, closed with the last.
interface Channel {
  socket: ReconnectingWebSocket;
  status: LiveStatus;
  listeners: Set<Listener>;
}
interface Listener {
  change: (change: LiveCaseChange) => void;
  status: () => void;
}
const channels = new Map<string, Channel>();

function listen(tenantId: string, listener: Listener): () => void {
  let channel = channels.get(tenantId);
  if (!channel) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new ReconnectingWebSocket(`${scheme}://${location.host}/live/${tenantId}`, [], {
      maxReconnectionDelay: 15_000,
    });
    const opened: Channel = { socket, status: "connecting", listeners: new Set() };
    const setStatus = (status: LiveStatus) => {
      opened.status = status;
      for (const l of opened.listeners) l.status();
    };
    socket.addEventListener("open", () => setStatus("live"));
    socket.addEventListener("close", () => setStatus("offline"));
    socket.addEventListener("message", (event) => {
      let message: { kind?: string };
      try {
        message = JSON.parse(String(event.data));
      } catch {
        return;
      }
      if (message.kind !== "case.changed") return;
      for (const l of opened.listeners) l.change(message as LiveCaseChange);
    });
    channels.set(tenantId, opened);
    channel = opened;
  }
  const joined = channel;
  joined.listeners.add(listener);
  return () => {
    joined.listeners.delete(listener);
    if (joined.listeners.size > 0) return;
    joined.socket.close();
    channels.delete(tenantId);
  };
}

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
    // Live when every tenant's socket is open; offline while any is closed.
    const status = () => {
      const each = ids.map((id) => channels.get(id)?.status ?? "connecting");
      setStatus(
        each.length > 0 && each.every((s) => s === "live")
          ? "live"
          : each.includes("offline")
            ? "offline"
            : "connecting",
      );
    };
    const listener: Listener = { change: (change) => handler.current(change), status };
    const leave = ids.map((id) => listen(id, listener));
    status();
    return () => {
      for (const l of leave) l();
    };
  }, [key]);
  return status;
}

/**
 * Calls `onBurst` once per burst of case changes of `tenantIds`: the first change starts a
 * `delayMs` wait, and changes during it are part of the same burst.
 */
export function useLiveBursts(
  tenantIds: readonly string[],
  delayMs: number,
  onBurst: () => void,
): LiveStatus {
  const handler = useRef(onBurst);
  handler.current = onBurst;
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
      handler.current();
    }, delayMs);
  });
}

/**
 * Re-reads the page's data when cases of `tenantIds` change: a burst of changes within `delayMs`
 * is one re-read. What the page shows still comes through its loader, with the person's grants.
 */
export function useLiveRefresh(tenantIds: readonly string[], delayMs: number): LiveStatus {
  const revalidator = useRevalidator();
  return useLiveBursts(tenantIds, delayMs, () => revalidator.revalidate());
}

/** A small badge saying whether the page is following changes. */
export function liveLabel(status: LiveStatus): string {
  return status === "live" ? "Live" : status === "connecting" ? "Connecting…" : "Offline: reconnecting";
}
