// POST /preferences: the signed-in person's workbench preferences, kept with the person (today the
// single-key shortcut switch, WCAG 2.1.4). A form post that returns to the page it came from.
import { redirect } from "react-router";
import { setSingleKeyShortcuts } from "../../domain/auth/people.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { envOf, localPath, signedInFormPost } from "../workbench.server.ts";
import type { Route } from "./+types/preferences";

export function action(args: Route.ActionArgs) {
  return signedInFormPost(args, async (signedIn, form, now) => {
    const singleKeys = form.get("single_key_shortcuts");
    if (singleKeys !== "on" && singleKeys !== "off") {
      throw new PhoenixError("validation_failed", "say whether single-key shortcuts are on or off", [
        { field: "single_key_shortcuts", message: "must be on or off" },
      ]);
    }
    await setSingleKeyShortcuts(envOf(args).CONTROL_DB, signedIn.principal.id, singleKeys === "on", now);
    return redirect(localPath(form.get("back")));
  });
}

export function loader() {
  return redirect("/");
}
