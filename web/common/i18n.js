/**
 * Translations: one dictionary per language (plain objects, nested keys), merged from the
 * common ones (web/common/i18n/<lang>.js: errors, shared words) and the app's own.
 *
 *   const i18n = createI18n({ fr: {...}, en: {...} }, "fr");
 *   i18n.t("cart.items", { count: 2 })   // plural forms: { one: "…", other: "…" }
 *   i18n.t("hello", { name: "Léa" })     // "{name}" placeholders
 *   i18n.error(apiError)                 // a sentence a parent understands
 * The chosen language is kept in localStorage ("carnet.lang", shared by the shop and the desk);
 * `pickLanguage(orgLocale)` returns it, or the org's locale when nothing was chosen.
 * Keys may be nested ({ cart: { items } }, the shop) or flat ({ "cart.items": … }, the desk);
 * `t(key, vars, fallback)` answers `fallback` (else the key) when no dictionary has the key.
 */
export const LANGUAGES = ["fr", "en"];
const KEY = "carnet.lang";

export function pickLanguage(orgLocale) {
  const chosen = localStorage.getItem(KEY);
  if (LANGUAGES.includes(chosen)) return chosen;
  return LANGUAGES.includes(orgLocale) ? orgLocale : "fr";
}

export function rememberLanguage(lang) {
  localStorage.setItem(KEY, lang);
}

export function merge(...dicts) {
  const out = {};
  for (const dict of dicts) {
    for (const [key, value] of Object.entries(dict || {})) {
      out[key] = value && typeof value === "object" && !isPlural(value) && out[key]
        ? merge(out[key], value) : value;
    }
  }
  return out;
}

function isPlural(value) {
  return "other" in value;
}

export function createI18n(dictionaries, lang) {
  const dict = dictionaries[lang] || {};
  const fallback = dictionaries.fr || {};
  const plural = new Intl.PluralRules(lang === "fr" ? "fr-CA" : "en-CA");
  const lookup = (source, key) => source[key]
    ?? key.split(".").reduce((node, part) => node?.[part], source);

  function t(key, vars = {}, otherwise) {
    vars = vars || {};
    let value = lookup(dict, key) ?? lookup(fallback, key);
    if (value && typeof value === "object" && isPlural(value)) {
      value = value[plural.select(vars.count ?? 0)] ?? value.other;
    }
    if (typeof value !== "string") return otherwise ?? key;
    return value.replace(/\{(\w+)\}/g, (match, name) => (
      name in vars && typeof vars[name] !== "object" ? String(vars[name]) : match));
  }

  /** An ApiError (or any error) in words: errors.<code>, else a generic sentence. */
  function error(err) {
    const code = err?.code || "unexpected";
    if (code === "validation_error" && err.details) {
      const fields = Object.keys(err.details).map((f) => t(`fields.${f}`)).join(", ");
      return t("errors.validation_error", { fields });
    }
    const text = t(`errors.${code}`);
    return text === `errors.${code}` ? t("errors.unexpected") : text;
  }

  return { lang, t, error, has: (key) => lookup(dict, key) !== undefined };
}
