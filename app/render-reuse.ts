// A page's offer to be served again while nothing it shows changes (decision 043): the loader says
// until when its page holds, the route's `headers` passes that on, and the Worker keeps the page.
import type { HeadersFunction } from "react-router";
import { RENDER_FRESH_UNTIL_HEADER } from "../domain/render-epochs.ts";

/** The loader's `data()` init that offers its page until `freshUntil` (epoch ms). */
export function offerForReuse(freshUntil: number): { headers: Record<string, string> } {
  return { headers: { [RENDER_FRESH_UNTIL_HEADER]: String(freshUntil) } };
}

/** A route's `headers`: the parent's (no-store from the shell) plus the loader's offer, if made. */
export const passReuseOffer: HeadersFunction = ({ parentHeaders, loaderHeaders }) => {
  const merged = new Headers(parentHeaders);
  const freshUntil = loaderHeaders.get(RENDER_FRESH_UNTIL_HEADER);
  if (freshUntil) merged.set(RENDER_FRESH_UNTIL_HEADER, freshUntil);
  return merged;
};
