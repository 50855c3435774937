// Keyboard-first: every page's shortcuts go through tinykeys, are listed in one help dialog (`?`),
// and single-key ones can be switched off (WCAG 2.1.4), a preference kept with the person.
import { useEffect, useRef, useState } from "react";
import { useFetcher, useLocation, useNavigate, useRouteLoaderData } from "react-router";
import { tinykeys } from "tinykeys";

export interface Shortcut {
  keys: string;
  /** tinykeys' binding, e.g. "g q" or "$mod+k". */
  binding: string;
  does: string;
}

/** Every shortcut, for the help dialog and aria-keyshortcuts; pages bind their own from this list. */
export const SHORTCUTS = {
  palette: { keys: "Ctrl K or ⌘ K", binding: "$mod+k", does: "Jump to any case by title or id" },
  queue: { keys: "g then q", binding: "g q", does: "Go to the queue" },
  // Not "g a": the case page's "a" (assign to me) would fire on the same keypress.
  alerts: { keys: "g then t", binding: "g t", does: "Go to alert triage" },
  dashboard: { keys: "g then d", binding: "g d", does: "Go to the dashboard" },
  notifications: { keys: "g then n", binding: "g n", does: "Go to your notifications" },
  help: { keys: "?", binding: "Shift+?", does: "Show these shortcuts" },
  search: { keys: "/", binding: "/", does: "Search or filter" },
  down: { keys: "j", binding: "j", does: "Next row" },
  up: { keys: "k", binding: "k", does: "Previous row" },
  open: { keys: "Enter", binding: "Enter", does: "Open the row's case or alert" },
  select: { keys: "x", binding: "x", does: "Select the row" },
  assignMe: { keys: "a", binding: "a", does: "Assign to me" },
  escalate: { keys: "e", binding: "e", does: "Escalate" },
  comment: { keys: "c", binding: "c", does: "Comment" },
} as const satisfies Record<string, Shortcut>;

/** The shell's view of the person, as far as shortcuts need it (shell.tsx imports this module). */
interface ShortcutPerson {
  me: { csrfToken: string; singleKeyShortcuts: boolean } | null;
}

/** Whether single-key shortcuts are on for the signed-in person (on when signed out). */
function useSingleKeys(): boolean {
  return useRouteLoaderData<ShortcutPerson>("routes/shell")?.me?.singleKeyShortcuts ?? true;
}

/** True while typing: shortcuts must never steal keys from a field. */
function typing(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  if (!target) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/**
 * Binds shortcuts while the component is mounted. Handlers read the latest props through a ref, so
 * callers can pass inline functions. Single keys are skipped while typing or when switched off.
 */
export function useShortcuts(
  handlers: Partial<Record<keyof typeof SHORTCUTS, (event: KeyboardEvent) => void>>,
) {
  const latest = useRef(handlers);
  latest.current = handlers;
  const singleKeys = useRef(true);
  singleKeys.current = useSingleKeys();
  useEffect(() => {
    const bindings: Record<string, (event: KeyboardEvent) => void> = {};
    for (const name of Object.keys(latest.current) as (keyof typeof SHORTCUTS)[]) {
      const shortcut = SHORTCUTS[name];
      bindings[shortcut.binding] = (event) => {
        const chord = shortcut.binding.includes("$mod");
        if (typing(event) && !chord) return;
        if (!chord && !singleKeys.current) return;
        latest.current[name]?.(event);
      };
    }
    return tinykeys(window, bindings);
  }, []);
}

export function useGlobalShortcuts() {
  const navigate = useNavigate();
  const [helpOpen, setHelpOpen] = useState(false);
  const [paletteOpen, setPaletteOpen] = useState(false);
  useShortcuts({
    palette: (event) => {
      event.preventDefault();
      setPaletteOpen(true);
    },
    queue: () => navigate("/"),
    alerts: () => navigate("/alerts"),
    dashboard: () => navigate("/dashboard"),
    notifications: () => navigate("/notifications"),
    help: (event) => {
      event.preventDefault();
      setHelpOpen(true);
    },
    search: (event) => {
      const field = document.querySelector<HTMLElement>("[data-search]");
      if (!field) return;
      event.preventDefault();
      field.focus();
    },
  });
  return { helpOpen, setHelpOpen, paletteOpen, setPaletteOpen };
}

/** A `<dialog>` shown modally while `open` (focus trapped, Escape closes); `onOpen` runs as it opens. */
export function useModalDialog(open: boolean, onOpen?: () => void) {
  const dialog = useRef<HTMLDialogElement>(null);
  const opened = useRef(onOpen);
  opened.current = onOpen;
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      opened.current?.();
    }
    if (!open && d.open) d.close();
  }, [open]);
  return dialog;
}

export function ShortcutHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const dialog = useModalDialog(open);
  const preference = useFetcher();
  const me = useRouteLoaderData<ShortcutPerson>("routes/shell")?.me;
  const location = useLocation();
  // Shown as switched the moment it is clicked; the saved preference arrives with the revalidation.
  const pending = preference.formData?.get("single_key_shortcuts");
  const singleKeys = pending ? pending === "on" : (me?.singleKeyShortcuts ?? true);
  return (
    <dialog
      ref={dialog}
      onClose={onClose}
      aria-labelledby="shortcut-help-title"
      className="m-auto w-full max-w-md rounded-xl border border-line bg-surface p-0 text-ink shadow-2xl backdrop:bg-black/40"
    >
      {/* Filled in only while open: it needs JavaScript to open, and every page would render it. */}
      {open && (
        <div className="p-5">
          <h2 id="shortcut-help-title" className="text-base font-semibold">
            Keyboard shortcuts
          </h2>
          <table className="mt-3 w-full text-sm">
            <caption className="sr-only">Every shortcut and what it does</caption>
            <tbody>
              {Object.values(SHORTCUTS).map((s) => (
                <tr key={s.binding} className="border-b border-line last:border-0">
                  <td className="py-1.5 pr-4">
                    <kbd className="rounded border border-line bg-raised px-1.5 py-0.5 font-mono text-xs">
                      {s.keys}
                    </kbd>
                  </td>
                  <td className="py-1.5 text-muted">{s.does}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {me && (
            <preference.Form method="post" action="/preferences" className="mt-4">
              <input type="hidden" name="csrf" value={me.csrfToken} />
              <input type="hidden" name="back" value={location.pathname + location.search} />
              <input type="hidden" name="single_key_shortcuts" value={singleKeys ? "off" : "on"} />
              <p className="text-sm">
                Single-key shortcuts are <strong>{singleKeys ? "on" : "off"}</strong>. Switch them off if they
                get in the way of speech input or a screen reader; Ctrl K still works.
              </p>
              <button
                type="submit"
                aria-pressed={singleKeys}
                className="mt-2 rounded-md border border-line px-3 py-1 text-sm hover:border-accent"
              >
                {singleKeys ? "Switch single-key shortcuts off" : "Switch single-key shortcuts on"}
              </button>
            </preference.Form>
          )}
          <div className="mt-4 flex justify-end">
            <button
              type="button"
              onClick={onClose}
              className="rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-accent-ink"
            >
              Close
            </button>
          </div>
        </div>
      )}
    </dialog>
  );
}
