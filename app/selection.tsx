// Keyboard-first lists with selectable rows (the queue's cases, triage's alerts): j and k move the
// active row and focus its link, Enter opens it, x selects it, and each row's checkbox joins a form
// so a selection posts even without JavaScript.
import { type ReactNode, useEffect, useRef, useState } from "react";
import { SHORTCUTS, useShortcuts } from "./shortcuts.tsx";

export interface RowList {
  active: number;
  selected: ReadonlySet<string>;
  setActive: (index: number) => void;
  toggle: (id: string) => void;
  setSelected: (ids: ReadonlySet<string>) => void;
  rowRef: (index: number) => (el: HTMLTableRowElement | null) => void;
}

/**
 * The list's keyboard and selection state over `ids` (in screen order). `linkSelector` finds the
 * link to focus in the active row; `open` runs on Enter unless a focused link or button takes it.
 */
export function useRowList(
  ids: readonly string[],
  linkSelector: string,
  open: (id: string) => void,
): RowList {
  // The active row is held by id: rows that arrive above it (a live refresh) do not move it.
  const [activeId, setActiveId] = useState<string | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const rows = useRef<(HTMLTableRowElement | null)[]>([]);
  const active = Math.max(activeId === null ? 0 : ids.indexOf(activeId), 0);
  // Focus follows the person's moves only: rows arriving in a refresh never take focus from a field.
  const moved = useRef(true);
  const setActive = (index: number) => {
    moved.current = true;
    setActiveId(ids[Math.min(Math.max(index, 0), ids.length - 1)] ?? null);
  };
  const toggle = (id: string) => setSelected((s) => toggled(s, id));

  useEffect(() => {
    if (!moved.current) return;
    moved.current = false;
    rows.current[active]?.querySelector<HTMLElement>(linkSelector)?.focus({ preventScroll: false });
  }, [active, linkSelector]);

  useShortcuts({
    down: () => setActive(active + 1),
    up: () => setActive(active - 1),
    open: (event) => {
      const id = ids[active];
      if (id === undefined || (event.target as HTMLElement).closest("a,button")) return;
      open(id);
    },
    select: () => {
      const id = ids[active];
      if (id !== undefined) toggle(id);
    },
  });

  return {
    active,
    selected,
    setActive,
    toggle,
    setSelected,
    rowRef: (index) => (el) => {
      rows.current[index] = el;
    },
  };
}

/** One row of such a list: its checkbox (in `form`, posting `name=value`) and then its cells. */
export function SelectableRow({
  list,
  index,
  id,
  label,
  form,
  name,
  value,
  children,
}: {
  list: RowList;
  index: number;
  id: string;
  /** What the row is, for its checkbox's label ("Select <label>"). */
  label: string;
  form: string;
  name: string;
  value: string;
  children: ReactNode;
}) {
  return (
    <tr
      ref={list.rowRef(index)}
      aria-selected={list.selected.has(id)}
      data-active={index === list.active || undefined}
      onFocusCapture={() => list.setActive(index)}
      className="q-row"
    >
      <td className="px-3 py-2">
        <input
          type="checkbox"
          aria-label={`Select ${label}`}
          aria-keyshortcuts={SHORTCUTS.select.keys}
          checked={list.selected.has(id)}
          onChange={() => list.toggle(id)}
          form={form}
          name={name}
          value={value}
        />
      </td>
      {children}
    </tr>
  );
}

/** The set with `id` added, or removed when it was there (a new set: React state stays immutable). */
export function toggled(set: ReadonlySet<string>, id: string): ReadonlySet<string> {
  const next = new Set(set);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}
