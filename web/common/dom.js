/**
 * A tiny DOM builder: text is always text (no innerHTML), so nothing the API returns can
 * inject markup.
 *
 *   h("button", { class: "primary", onclick: go, "aria-label": t("…") }, "Add")
 *   h("ul", {}, items.map((i) => h("li", {}, i.name)))
 * Attributes: `class`, `on<event>` handlers, booleans (true → present, false/null → absent),
 * `dataset` (an object: data-* attributes), `value` (the property on a select or textarea),
 * anything else with setAttribute. Children: strings, numbers, nodes, arrays, null.
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(node.dataset, value);
    } else if (name === "value" && (tag === "select" || tag === "textarea")) {
      node.value = value;
    } else if (value === true) {
      node.setAttribute(name, "");
    } else {
      node.setAttribute(name, String(value));
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(child instanceof Node ? child : String(child));
  }
}

/** Replace the children of `node`. */
export function mount(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}
