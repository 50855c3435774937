// POST /theme: remembers the chosen theme and returns to the page it was chosen on. A plain form
// post, so it works before JavaScript loads; with JavaScript the page switches at once.
import { redirect } from "react-router";
import { isTheme, themeCookie } from "../theme.ts";
import type { Route } from "./+types/theme";

export async function action({ request }: Route.ActionArgs) {
  const form = await request.formData();
  const theme = form.get("theme");
  const back = form.get("back");
  // Only a path on this site: never an open redirect.
  const to = typeof back === "string" && back.startsWith("/") && !back.startsWith("//") ? back : "/";
  if (!isTheme(theme)) return redirect(to);
  return redirect(to, { headers: { "set-cookie": themeCookie(theme) } });
}

export function loader() {
  return redirect("/");
}
