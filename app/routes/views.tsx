// POST /views: save the queue view the person is looking at under a name, or delete one of their
// saved views. Plain form posts from the queue, so they work before JavaScript loads.
import { redirect } from "react-router";
import { deleteSavedView, saveView } from "../../domain/case/saved-views.ts";
import { queueViewFrom, queueViewSearch } from "../../domain/case/work-queue.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { envOf, localPath, signedInFormPost } from "../workbench.server.ts";
import type { Route } from "./+types/views";

export function action(args: Route.ActionArgs) {
  return signedInFormPost(args, async (signedIn, form, now) => {
    const db = envOf(args).CONTROL_DB;
    const intent = form.get("intent");
    if (intent === "save") {
      // The view comes in as the queue's own query string and is read exactly as the queue reads it.
      const search = String(form.get("search") ?? "");
      const { view } = queueViewFrom(new URLSearchParams(search));
      await saveView(db, signedIn.principal.id, String(form.get("name") ?? ""), view, now);
      return redirect(`/${queueViewSearch(view)}`);
    }
    if (intent === "delete") {
      await deleteSavedView(db, signedIn.principal.id, String(form.get("id") ?? ""));
      return redirect(localPath(form.get("back")));
    }
    throw new PhoenixError("validation_failed", "say what to do with the view", [
      { field: "intent", message: "must be save or delete" },
    ]);
  });
}

export function loader() {
  return redirect("/");
}
