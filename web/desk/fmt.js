// Money, dates and times in the org's currency and timezone, in the page's language (Intl).
import { lang } from "./i18n.js";

let org = { timezone: "UTC", currency: "CAD" };
export function setOrg(o) { org = o; }
export const orgTz = () => org.timezone;
// The language of the page with the region of the org's currency (fr-CA writes "10 h 00",
// fr-FR "10:00"; en-CA "a.m.", en-IE a 24-hour clock).
const REGION = { CAD: ["CA", "CA"], EUR: ["FR", "IE"], CHF: ["CH", "CH"], USD: ["CA", "US"], GBP: ["FR", "GB"] };
const locale = () => { const r = REGION[org.currency]; const fr = lang() === "fr"; return `${fr ? "fr" : "en"}-${r ? r[fr ? 0 : 1] : (fr ? "FR" : "GB")}`; };

const DIGITS = { JPY: 0, KRW: 0, CLP: 0, ISK: 0, BHD: 3, KWD: 3, TND: 3, JOD: 3, OMR: 3 };
export const minorDigits = () => DIGITS[org.currency] ?? 2;

export function money(minor) {
  if (minor === null || minor === undefined) return "—";
  return new Intl.NumberFormat(locale(), { style: "currency", currency: org.currency })
    .format(minor / 10 ** minorDigits());
}
// "12,50" or "12.50" typed by a person → minor units (null when not a number).
export function parseMoney(text) {
  const clean = String(text).trim().replace(/\s/g, "").replace(",", ".");
  if (!/^\d+(\.\d+)?$/.test(clean)) return null;
  return Math.round(parseFloat(clean) * 10 ** minorDigits());
}
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
export function localDate(v = new Date()) {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: org.timezone, year: "numeric", month: "2-digit", day: "2-digit" })
    .formatToParts(asDate(v));
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}
export function addDays(isoDate, n) {
  const d = new Date(`${isoDate}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function offsetAt(instant) {
  const name = new Intl.DateTimeFormat("en-US", { timeZone: org.timezone, timeZoneName: "longOffset" })
    .formatToParts(instant).find((p) => p.type === "timeZoneName").value; // "GMT-05:00" or "GMT"
  const m = name.match(/GMT([+-])(\d{2}):?(\d{2})?/);
  return m ? { text: `${m[1]}${m[2]}:${m[3] || "00"}`, minutes: (m[1] === "-" ? -1 : 1) * (+m[2] * 60 + +(m[3] || 0)) }
    : { text: "+00:00", minutes: 0 };
}
// An org-local date and "HH:MM" → the instant (Date) in the org's timezone.
export function zoned(isoDate, hhmm) {
  const naive = Date.parse(`${isoDate}T${hhmm}:00Z`);
  let off = offsetAt(new Date(naive));
  const again = offsetAt(new Date(naive - off.minutes * 60000));
  if (again.minutes !== off.minutes) off = again;
  return new Date(naive - off.minutes * 60000);
}
// The same as RFC 3339 with the org's offset (what the API reads as org-local).
export function zonedIso(isoDate, hhmm) {
  const instant = zoned(isoDate, hhmm);
  return `${isoDate}T${hhmm}:00${offsetAt(instant).text}`;
}
