// Money, dates and times in the org's currency and timezone, in the page's language (Intl).
// The shared part (money, org-local days, zoned times) is web/common/format.js.
import * as common from "../common/format.js";
import { lang } from "./i18n.js";

let org = { timezone: "UTC", currency: "CAD" };
export function setOrg(o) { org = o; }
export const orgTz = () => org.timezone;
// The language of the page with the region of the org's currency (fr-CA writes "10 h 00",
// fr-FR "10:00"; en-CA "a.m.", en-IE a 24-hour clock).
const REGION = { CAD: ["CA", "CA"], EUR: ["FR", "IE"], CHF: ["CH", "CH"], USD: ["CA", "US"], GBP: ["FR", "GB"] };
const locale = () => { const r = REGION[org.currency]; const fr = lang() === "fr"; return `${fr ? "fr" : "en"}-${r ? r[fr ? 0 : 1] : (fr ? "FR" : "GB")}`; };

const formats = new Map();
const shared = () => {
  const key = `${lang()}|${locale()}|${org.timezone}|${org.currency}`;
  if (!formats.has(key)) {
    formats.set(key, common.createFormat({ lang: lang(), locale: locale(), timeZone: org.timezone, currency: org.currency }));
  }
  return formats.get(key);
};
export const minorDigits = () => shared().digits;

export const money = (minor) => (minor === null || minor === undefined ? "—" : shared().money(minor));
// "12,50" or "12.50" typed by a person → minor units (null when not a number).
export const parseMoney = (text) => common.parseMoney(text, minorDigits());
export const moneyInput = (minor) => (minor / 10 ** minorDigits()).toFixed(minorDigits());

const fmtCache = new Map();
function formatter(kind) {
  const key = `${kind}|${locale()}|${org.timezone}`;
  if (!fmtCache.has(key)) {
    const o = { timeZone: org.timezone };
    if (kind === "date") Object.assign(o, { dateStyle: "medium" });
    if (kind === "time") Object.assign(o, { hour: "2-digit", minute: "2-digit" });
    if (kind === "datetime") Object.assign(o, { dateStyle: "medium", timeStyle: "short" });
    if (kind === "day") Object.assign(o, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
    fmtCache.set(key, new Intl.DateTimeFormat(locale(), o));
  }
  return fmtCache.get(key);
}
const asDate = (v) => (v instanceof Date ? v : new Date(v));
export const date = (v) => (v ? formatter("date").format(asDate(v)) : "—");
export const time = (v) => (v ? formatter("time").format(asDate(v)) : "—");
export const datetime = (v) => (v ? formatter("datetime").format(asDate(v)) : "—");
export const longDay = (isoDate) => formatter("day").format(zoned(isoDate, "12:00"));
// A plain calendar date ("2026-03-01") shown without shifting it through a timezone.
export const plainDate = (isoDate) => new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeZone: "UTC" })
  .format(new Date(`${isoDate}T12:00:00Z`));

// The org-local calendar date of an instant, "YYYY-MM-DD".
export const localDate = (v = new Date()) => shared().dayKey(v);
export const addDays = common.addDays;
// An org-local date and "HH:MM" → the instant (Date); the same as RFC 3339 with the offset.
export const zoned = (isoDate, hhmm) => common.zoned(isoDate, hhmm, org.timezone);
export const zonedIso = (isoDate, hhmm) => common.zonedIso(isoDate, hhmm, org.timezone);
