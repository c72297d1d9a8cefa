/**
 * Money, dates and times in the org's currency and timezone, in the page's language (Intl).
 *
 *   const f = createFormat({ lang: "fr", timeZone: org.timezone, currency: org.currency });
 *   f.money(1500)            // "15,00 $"  (minor units, R1.3; digits from the currency)
 *   f.date(iso) f.time(iso) f.dateTime(iso) f.weekday(0) f.month(2027, 2)
 *   f.dayKey(iso)            // "2027-03-12": the org-local day of an instant
 *   f.today()                // the org-local day now
 *   f.countdown(ms)          // "14:05"
 */
const LOCALES = { fr: "fr-CA", en: "en-CA" };

export function createFormat({ lang = "fr", timeZone = "UTC", currency = "CAD" } = {}) {
  const locale = LOCALES[lang] || lang;
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
    lang, locale, timeZone, currency,
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
