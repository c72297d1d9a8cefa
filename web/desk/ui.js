// Small DOM helpers: elements built with textContent (never innerHTML from data), labelled
// fields, tables, a modal dialog and messages in words.
import { h } from "../common/dom.js";
import { t, words } from "./i18n.js";

export { h };

let seq = 0;
export const uid = (p = "f") => `${p}-${++seq}`;

// A labelled control: field(labelText, control) → <div class=field><label for>…</label>control</div>
export function field(label, control, hint) {
  if (!control.id) control.id = uid();
  const parts = [h("label", { for: control.id }, label), control];
  if (hint) {
    const hid = uid("hint");
    control.setAttribute("aria-describedby", hid);
    parts.push(h("small", { id: hid, class: "hint" }, hint));
  }
  return h("div", { class: "field" }, parts);
}
export const input = (attrs = {}) => h("input", { type: "text", ...attrs });
export function select(options, attrs = {}) {
  return h("select", attrs, options.map(([value, text]) =>
    h("option", { value, selected: String(attrs.value ?? "") === String(value) || undefined }, text)));
}

// On a phone a table scrolls sideways: it takes the focus so the keyboard can scroll it.
export function table(headers, rows, caption) {
  return h("table", { tabindex: "0" },
    caption ? h("caption", {}, caption) : null,
    h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, rows.length ? rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c))))
      : h("tr", {}, h("td", { colspan: headers.length, class: "empty" }, t("common.none")))));
}

// A message region: say(el, text, "error"|"ok") — announced to screen readers.
export function messageArea() {
  return h("div", { class: "message", role: "status", "aria-live": "polite" });
}
export function say(area, text, kind = "ok") {
  area.textContent = text || "";
  area.className = `message ${text ? kind : ""}`;
  if (kind === "error") area.setAttribute("role", "alert"); else area.setAttribute("role", "status");
}

// Runs an async action, shows its error in words in `area`; returns the result or undefined.
export async function attempt(area, fn, okText) {
  try {
    const result = await fn();
    if (area) say(area, okText || "", "ok");
    return result;
  } catch (err) {
    if (area) say(area, words(err), "error");
    else console.error(err);
    return undefined;
  }
}

// A modal dialog (native <dialog>: focus kept inside, Escape closes). Resolves with the
// value passed to close(), or null when dismissed.
export function dialog(title, build) {
  return new Promise((resolve) => {
    const titleId = uid("dlg");
    const d = h("dialog", { "aria-labelledby": titleId, class: "dialog" });
    let settled = false;
    const close = (value) => {
      if (settled) return; settled = true;
      d.close(); d.remove(); resolve(value ?? null);
    };
    d.append(h("h2", { id: titleId }, title), build(close));
    d.addEventListener("close", () => close(null));
    document.body.append(d);
    d.showModal();
    const first = d.querySelector("input, select, textarea, button:not(.link)");
    if (first) first.focus();
  });
}

// Asks before doing something with consequences; resolves true or false.
export function confirmDialog(title, lines, confirmText) {
  return dialog(title, (close) => h("div", {},
    h("ul", { class: "consequences" }, lines.map((l) => h("li", {}, l))),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: () => close(false) }, t("common.back")),
      h("button", { type: "button", class: "danger", onclick: () => close(true) }, confirmText)),
  )).then((v) => v === true);
}

export function section(title, ...children) {
  const id = uid("sec");
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), ...children);
}
