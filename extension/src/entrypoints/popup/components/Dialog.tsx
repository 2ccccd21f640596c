/** A modal dialog: labelled, focus kept inside while open, Escape closes, focus returns after. */
import type { ComponentChildren } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";
import { t } from "../../../core/i18n.js";

const focusable = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; describedBy?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  // A layout effect, so focus is back on the opener in the same turn the dialog goes away.
  useLayoutEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>("[data-autofocus]") ?? ref.current?.querySelector<HTMLElement>(focusable);
    first?.focus();
    return () => opener?.focus();
  }, []);

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === "Escape") {
      event.stopPropagation();
      props.onClose();
      return;
    }
    if (event.key !== "Tab" || !ref.current) return;
    const items = [...ref.current.querySelectorAll<HTMLElement>(focusable)];
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  return (
    <div class="backdrop">
      <div
        ref={ref}
        class="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="dialog-title"
        aria-describedby={props.describedBy}
        onKeyDown={onKeyDown}
      >
        <h2 id="dialog-title">{props.title}</h2>
        {props.children}
      </div>
    </div>
  );
}

/** A dialog's buttons: Cancel and the action until it is done, then Close. */
export function DialogActions(props: {
  done: boolean;
  onClose: () => void;
  action: { label: string; kind: "primary" | "danger"; disabled: boolean; autofocus?: boolean; onClick: () => void };
}) {
  const { action } = props;
  return (
    <div class="actions">
      {props.done ? (
        <button type="button" class="primary" data-autofocus onClick={props.onClose}>
          {t("close")}
        </button>
      ) : (
        <>
          <button type="button" onClick={props.onClose}>
            {t("cancel")}
          </button>
          <button type="button" class={action.kind} data-autofocus={action.autofocus} disabled={action.disabled} onClick={action.onClick}>
            {action.label}
          </button>
        </>
      )}
    </div>
  );
}
