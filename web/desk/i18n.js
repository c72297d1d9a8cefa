// French and English. The org's locale is the default; the switch on every page keeps the
// person's choice for this browser.
import { STRINGS } from "./strings.js";

let current = null;
export function initLang(orgLocale) {
  const saved = localStorage.getItem("carnet.desk.lang");
  const guess = saved || (orgLocale || navigator.language || "fr").slice(0, 2);
  current = guess === "en" ? "en" : "fr";
  document.documentElement.lang = current;
}
export const lang = () => current || "fr";
export function setLang(l) {
  current = l === "en" ? "en" : "fr";
  localStorage.setItem("carnet.desk.lang", current);
  document.documentElement.lang = current;
}

// t("cart.total", {n: 3}) — "{n}" placeholders; a missing key falls back to English, then to
// `fallback`, then to the key itself.
export function t(key, vars = {}, fallback) {
  let text = STRINGS[lang()][key] ?? STRINGS.en[key] ?? fallback ?? key;
  for (const [k, v] of Object.entries(vars || {})) {
    if (typeof v !== "object") text = text.replaceAll(`{${k}}`, String(v));
  }
  return text;
}
