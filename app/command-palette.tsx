// Ctrl/⌘ K: jump to any case of the person's tenants by title or id. A combobox over /search, with
// arrow keys to choose and Enter to open; nothing here needs the mouse.
import { useEffect, useRef, useState } from "react";
import { useFetcher, useNavigate } from "react-router";
import type { SearchHit } from "./routes/search.tsx";
import { useModalDialog } from "./shortcuts.tsx";

export function CommandPalette({ open, onClose }: { open: boolean; onClose: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const dialog = useModalDialog(open, () => input.current?.focus());
  const fetcher = useFetcher<{ hits: SearchHit[] }>();
  const navigate = useNavigate();
  const [q, setQ] = useState("");
  const [active, setActive] = useState(0);
  const hits = q.trim() === "" ? [] : (fetcher.data?.hits ?? []);

  // The fetcher object changes with every load; the query alone decides when to search again.
  const load = useRef(fetcher.load);
  load.current = fetcher.load;
  useEffect(() => {
    if (q.trim() === "") return;
    const timer = setTimeout(() => load.current(`/search?q=${encodeURIComponent(q.trim())}`), 120);
    return () => clearTimeout(timer);
  }, [q]);

  const go = (hit: SearchHit | undefined) => {
    if (!hit) return;
    onClose();
    setQ("");
    navigate(`/cases/${hit.caseId}`);
  };

  return (
    <dialog
      ref={dialog}
      onClose={onClose}
      aria-label="Jump to a case"
      className="m-auto mt-[15vh] w-full max-w-xl rounded-xl border border-line bg-surface p-0 text-ink shadow-2xl backdrop:bg-black/40"
    >
      <div className="p-3">
        <input
          ref={input}
          role="combobox"
          aria-expanded={hits.length > 0}
          aria-controls="palette-results"
          aria-activedescendant={hits[active] ? `palette-${hits[active].caseId}` : undefined}
          aria-label="Case title or id"
          placeholder="Jump to a case: type a title or paste an id"
          value={q}
          onChange={(e) => {
            setQ(e.currentTarget.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === "ArrowDown") {
              e.preventDefault();
              setActive((i) => Math.min(i + 1, hits.length - 1));
            } else if (e.key === "ArrowUp") {
              e.preventDefault();
              setActive((i) => Math.max(i - 1, 0));
            } else if (e.key === "Enter") {
              e.preventDefault();
              go(hits[active]);
            }
          }}
          className="w-full rounded-md border border-line bg-canvas px-3 py-2 text-[15px]"
        />
        <div
          id="palette-results"
          role="listbox"
          aria-label="Matching cases"
          className="mt-2 max-h-80 overflow-auto"
        >
          {hits.map((hit, i) => (
            <div
              key={hit.caseId}
              id={`palette-${hit.caseId}`}
              role="option"
              tabIndex={-1}
              aria-selected={i === active}
              onMouseDown={(e) => {
                e.preventDefault();
                go(hit);
              }}
              className="cursor-pointer rounded-md px-3 py-2 text-[13px] aria-selected:bg-raised"
            >
              <span className="font-medium">{hit.title}</span>
              <span className="block text-[12px] text-muted">
                {hit.tenantName} · {hit.state.replaceAll("_", " ")} · {hit.severity} ·{" "}
                <span className="font-mono">{hit.caseId}</span>
              </span>
            </div>
          ))}
          {q.trim() !== "" && fetcher.state === "idle" && fetcher.data && hits.length === 0 && (
            <p className="px-3 py-2 text-[13px] text-muted">No case of your tenants matches.</p>
          )}
        </div>
      </div>
    </dialog>
  );
}
