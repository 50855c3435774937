// TenantLive: one per tenant (named by tenant id), the hub its case objects publish changes to and
// the workbench's WebSockets listen on. Sockets use the hibernation API, so a quiet tenant with
// open browsers costs nothing between changes. The Worker authorises every socket before it
// reaches here (workers/live/route.ts); the hub only relays.
import { DurableObject } from "cloudflare:workers";
import type { LiveCaseChange } from "../domain/case/live.ts";

/** Set by the live route on the upgrade it forwards: whose socket this is. */
export const LIVE_PRINCIPAL_HEADER = "x-phoenix-live-principal";
/** The close code a browser sees when its person loses access to the tenant. */
export const ACCESS_REVOKED = 4403;

export class TenantLive extends DurableObject<Env> {
  /** Accepts an upgrade the Worker has already authorised for this tenant. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const principalId = request.headers.get(LIVE_PRINCIPAL_HEADER);
    if (!principalId) return new Response("the live route names the person", { status: 400 });
    const pair = new WebSocketPair();
    const [client, server] = Object.values(pair) as [WebSocket, WebSocket];
    // Tagged with the person, so their sockets can be closed when their access ends.
    this.ctx.acceptWebSocket(server, [principalId]);
    server.send(JSON.stringify({ kind: "hello" }));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Sends one change to every open socket; returns how many it reached (for tests and logs). */
  publish(change: LiveCaseChange): number {
    const message = JSON.stringify(change);
    let sent = 0;
    for (const socket of this.ctx.getWebSockets()) {
      try {
        socket.send(message);
        sent++;
      } catch {
        // A socket closing meanwhile is not this publisher's problem; the browser reconnects.
      }
    }
    return sent;
  }

  /** Closes every socket of one person, whose grant on this tenant has ended; returns how many. */
  disconnect(principalId: string): number {
    let closed = 0;
    for (const socket of this.ctx.getWebSockets(principalId)) {
      try {
        socket.close(ACCESS_REVOKED, "access to this tenant was revoked");
        closed++;
      } catch {
        // Already closing.
      }
    }
    return closed;
  }

  /** Browsers only listen; anything they send is ignored except a ping, answered to keep proxies open. */
  override webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): void {
    if (message === "ping") socket.send("pong");
  }

  override webSocketClose(socket: WebSocket, code: number): void {
    socket.close(code === 1005 ? 1000 : code, "closing");
  }
}
