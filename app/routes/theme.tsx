// POST /theme: remembers the chosen theme and returns to the page it was chosen on. A plain form
// post, so it works before JavaScript loads; with JavaScript the page switches at once.
import { redirect } from "react-router";
import { isTheme, themeCookie } from "../theme.ts";
import { localPath } from "../workbench.server.ts";
import type { Route } from "./+types/theme";

export async function action({ request }: Route.ActionArgs) {
  const form = await request.formData();
  const theme = form.get("theme");
  const to = localPath(form.get("back"));
  if (!isTheme(theme)) return redirect(to);
  return redirect(to, { headers: { "set-cookie": themeCookie(theme) } });
}

export function loader() {
  return redirect("/");
}
