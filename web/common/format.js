/**
 * Money, dates and times in the org's currency and timezone, in the page's language (Intl).
 *
 *   const f = createFormat({ lang: "fr", timeZone: org.timezone, currency: org.currency });
 *   f.money(1500)            // "15,00 $"  (minor units, R1.3; digits from the currency)
 *   f.date(iso) f.time(iso) f.dateTime(iso) f.weekday(0) f.month(2027, 2)
 *   f.dayKey(iso)            // "2027-03-12": the org-local day of an instant
 *   f.today()                // the org-local day now
 *   f.countdown(ms)          // "14:05"
 * `locale` overrides the language's usual locale (the desk writes fr-FR for an org in euros).
 * Calendar helpers: addDays("2027-03-12", 1), zoned(day, "10:00", timeZone) (the instant),
 * zonedIso(day, "10:00", timeZone) ("2027-03-12T10:00:00-04:00"), parseMoney("12,50", 2).
 */
const LOCALES = { fr: "fr-CA", en: "en-CA" };

export function createFormat({ lang = "fr", timeZone = "UTC", currency = "CAD", locale } = {}) {
  locale = locale || LOCALES[lang] || lang;
  const moneyFormat = new Intl.NumberFormat(locale, { style: "currency", currency });
  const digits = moneyFormat.resolvedOptions().maximumFractionDigits;
  const make = (options) => new Intl.DateTimeFormat(locale, { timeZone, ...options });
  const dateF = make({ weekday: "long", day: "numeric", month: "long", year: "numeric" });
  const shortDateF = make({ day: "numeric", month: "short", year: "numeric" });
  const timeF = make({ hour: "numeric", minute: "2-digit" });
  const keyF = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit",
                                                  day: "2-digit" });
  const parse = (value) => (value instanceof Date ? value : new Date(value));

  return {
    lang, locale, timeZone, currency, digits,
    money: (minor) => moneyFormat.format((minor || 0) / 10 ** digits),
    date: (iso) => dateF.format(parse(iso)),
    shortDate: (iso) => shortDateF.format(parse(iso)),
    /** A local calendar day ("2027-03-12") as a short date, without timezone shifts. */
    day: (key) => new Intl.DateTimeFormat(locale, { timeZone: "UTC", day: "numeric",
                                                    month: "short", year: "numeric" })
      .format(new Date(`${key}T12:00:00Z`)),
    time: (iso) => timeF.format(parse(iso)),
    dateTime: (iso) => `${dateF.format(parse(iso))}, ${timeF.format(parse(iso))}`,
    dayKey: (iso) => keyF.format(parse(iso)),
    today: () => keyF.format(new Date()),
    /** Monday = 0, as the API's weekdays. */
    weekday: (index, style = "long") => new Intl.DateTimeFormat(locale, { weekday: style,
                                                                         timeZone: "UTC" })
      .format(new Date(Date.UTC(2024, 0, 1 + index))),
    month: (year, monthIndex) => new Intl.DateTimeFormat(locale, { month: "long",
                                                                   year: "numeric",
                                                                   timeZone: "UTC" })
      .format(new Date(Date.UTC(year, monthIndex, 15))),
    countdown: (ms) => {
      const total = Math.max(0, Math.floor(ms / 1000));
      return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
    },
  };
}

/** Age in whole years on a local day (both "YYYY-MM-DD"), as R2.7 counts it. */
export function ageOn(birthDate, day) {
  const [by, bm, bd] = birthDate.split("-").map(Number);
  const [y, m, d] = day.split("-").map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** "12,50" or "12.50" typed by a person → minor units (null when not a number). */
export function parseMoney(text, digits = 2) {
  const clean = String(text).trim().replace(/\s/g, "").replace(",", ".");
  if (!/^\d+(\.\d+)?$/.test(clean)) return null;
  return Math.round(parseFloat(clean) * 10 ** digits);
}

/** A calendar day ("YYYY-MM-DD") plus `n` days. */
export function addDays(day, n) {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

function offsetAt(instant, timeZone) {
  const name = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" })
    .formatToParts(instant).find((p) => p.type === "timeZoneName").value; // "GMT-05:00", "GMT"
  const m = name.match(/GMT([+-])(\d{2}):?(\d{2})?/);
  return m ? { text: `${m[1]}${m[2]}:${m[3] || "00"}`,
               minutes: (m[1] === "-" ? -1 : 1) * (+m[2] * 60 + +(m[3] || 0)) }
    : { text: "+00:00", minutes: 0 };
}

/** A local day and "HH:MM" in `timeZone` → the instant (a Date). */
export function zoned(day, hhmm, timeZone) {
  const naive = Date.parse(`${day}T${hhmm}:00Z`);
  let off = offsetAt(new Date(naive), timeZone);
  const again = offsetAt(new Date(naive - off.minutes * 60000), timeZone);
  if (again.minutes !== off.minutes) off = again;
  return new Date(naive - off.minutes * 60000);
}

/** The same as RFC 3339 with the zone's offset (what the API reads as org-local). */
export function zonedIso(day, hhmm, timeZone) {
  return `${day}T${hhmm}:00${offsetAt(zoned(day, hhmm, timeZone), timeZone).text}`;
}
