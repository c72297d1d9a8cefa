// French and English, with web/common/i18n.js: the desk's own words (i18n/<lang>.js, flat
// keys) over the common ones (errors, fields). The person's choice is kept for this browser
// (shared with the shop); otherwise the org's locale, or the browser's before signing in.
import { createI18n, merge, pickLanguage, rememberLanguage } from "../common/i18n.js";
import commonEn from "../common/i18n/en.js";
import commonFr from "../common/i18n/fr.js";
import deskEn from "./i18n/en.js";
import deskFr from "./i18n/fr.js";

const DICTIONARIES = { fr: merge(commonFr, deskFr), en: merge(commonEn, deskEn) };
let current = createI18n(DICTIONARIES, "fr");

function use(l) {
  current = createI18n(DICTIONARIES, l === "en" ? "en" : "fr");
  document.documentElement.lang = current.lang;
}
export function initLang(orgLocale) {
  use(pickLanguage((orgLocale || navigator.language || "fr").slice(0, 2)));
}
export const lang = () => current.lang;
export function setLang(l) { rememberLanguage(l === "en" ? "en" : "fr"); use(l); }

// t("cart.total", {n: 3}) — "{n}" placeholders; a missing key answers `fallback`, else the key.
export const t = (key, vars = {}, fallback) => current.t(key, vars, fallback);

const known = (key, vars) => { const text = t(key, vars, "\u0000"); return text === "\u0000" ? null : text; };

// An error in words for a person at the counter (never raw JSON): the desk's err.<code>, else
// the common sentence for the code (web/common/i18n/<lang>.js).
export function words(err) {
  if (!(err?.code)) return err?.message ? String(err.message) : t("err.unknown");
  if (err.code === "validation_error") {
    const fields = Object.entries(err.details || {})
      .map(([field, msgs]) => `${t("field." + field, {}, field)}: ${[].concat(msgs).flat().join(" ")}`);
    return `${t("err.validation_error")} ${fields.join("; ")}`;
  }
  const own = known(`err.${err.code}`, err.details) ?? known(`err.http_${err.status}`);
  if (own) return own;
  return err.code === "unexpected" ? t("err.unknown") : current.error(err);
}
