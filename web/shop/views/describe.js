/**
 * Words for an activity, shared by the catalog and the activity page: age range, schedule,
 * the session offer with its seats and why it cannot be booked, the à la carte offer, and
 * a "buy" control for passes, memberships and subscriptions.
 */
import { h } from "/web/common/dom.js";

export function ages(app, restrictions = {}) {
  const { min_age: min, max_age: max } = restrictions || {};
  if (min != null && max != null) return app.t("activity.ages_between", { min, max });
  if (min != null) return app.t("activity.ages_from", { min });
  if (max != null) return app.t("activity.ages_to", { max });
  return app.t("activity.ages_all");
}

function clock(app, hhmm) {
  const [hours, minutes] = hhmm.split(":").map(Number);
  return new Intl.DateTimeFormat(app.fmt.locale, { hour: "numeric", minute: "2-digit",
                                                   timeZone: "UTC" })
    .format(new Date(Date.UTC(2024, 0, 1, hours, minutes)));
}

export function schedule(app, activity) {
  const s = activity.schedule;
  if (!s || !s.slots?.length) {
    return activity.first_starts_at
      ? app.t("activity.dates", { from: app.fmt.shortDate(activity.first_starts_at),
                                  to: app.fmt.shortDate(activity.last_ends_at) })
      : app.t("activity.no_schedule");
  }
  const groups = new Map();  // same time and length on several days: one line
  for (const slot of [...s.slots].sort((a, b) => a.weekday - b.weekday)) {
    const key = `${slot.start_time}/${slot.duration_minutes}`;
    groups.set(key, [...(groups.get(key) || []), slot]);
  }
  const slots = [...groups.values()].map((same) => app.t("activity.slot", {
    day: same.length === 7 ? app.t("activity.every_day")
      : same.map((slot) => app.fmt.weekday(slot.weekday, same.length > 2 ? "short" : "long")).join(", "),
    time: clock(app, same[0].start_time), minutes: same[0].duration_minutes })).join(" · ");
  return `${slots} — ${app.t("activity.dates", { from: app.fmt.day(s.start_date),
                                                 to: app.fmt.day(s.end_date) })}`;
}

/** Why the session cannot be booked now (null: it can). */
export function sessionProblem(session) {
  if (!session?.enabled) return "session_off";
  const now = new Date();
  if (session.opens_at && new Date(session.opens_at) > now) return "not_open";
  if (session.closes_at && new Date(session.closes_at) <= now) return "closed";
  if (session.available === 0) return "full";
  return null;
}

export function membershipNames(app, activity) {
  const ids = activity.restrictions?.membership_type_ids || [];
  return ids.map((id) => app.catalog.memberships.find((m) => m.id === id)?.name || "")
    .filter(Boolean);
}

/** The facts of an activity as a list of lines (with the reasons it cannot be booked). */
export function facts(app, activity) {
  const session = activity.session || {};
  const alc = activity.a_la_carte || {};
  const lines = [
    h("span", {}, h("strong", {}, app.t("activity.ages")), " ", ages(app, activity.restrictions)),
    h("span", {}, h("strong", {}, app.t("activity.schedule")), " ", schedule(app, activity)),
  ];
  if (session.enabled) {
    const problem = sessionProblem(session);
    lines.push(h("span", {}, h("strong", {}, app.t("activity.session")), " ",
      h("span", { class: "price" }, app.fmt.money(session.price)), " · ",
      app.t("activity.seats_left", { count: session.available ?? session.capacity ?? 0 }), " ",
      problem ? h("span", { class: `tag ${problem === "full" ? "bad" : "warn"}` },
                  reason(app, problem, session)) : null));
  }
  if (alc.enabled) {
    lines.push(h("span", {}, h("strong", {}, app.t("activity.a_la_carte")), " ",
      alc.price != null && !alc.pass_only
        ? h("span", { class: "price" }, app.t("activity.per_class", { price: app.fmt.money(alc.price) }))
        : null, " ",
      alc.pass_only ? h("span", { class: "tag warn" }, app.t("reasons.pass_only")) : null));
  }
  if (!session.enabled && !alc.enabled) {
    lines.push(h("span", { class: "tag bad" }, app.t("reasons.not_offered")));
  }
  const memberships = membershipNames(app, activity);
  if (memberships.length) {
    lines.push(h("span", { class: "tag warn" },
      app.t("reasons.membership", { names: memberships.join(", ") })));
  }
  return h("div", { class: "facts" }, lines);
}

export function reason(app, code, offer = {}) {
  if (code === "not_open" && offer.opens_at) {
    return app.t("reasons.not_open_until", { date: app.fmt.dateTime(offer.opens_at) });
  }
  return app.t(`reasons.${code}`);
}

/** Is the member's age within the activity's range on `day` ("YYYY-MM-DD")? */
export function ageProblem(app, member, activity, day, ageOn) {
  const { min_age: min, max_age: max } = activity.restrictions || {};
  if (min == null && max == null) return null;
  const age = ageOn(member.birth_date, day);
  if ((min != null && age < min) || (max != null && age > max)) {
    return app.t("reasons.age", { range: ages(app, activity.restrictions) });
  }
  return null;
}

/**
 * A control that puts a product in the cart: a pass, membership or subscription.
 * `needsMember`: a member select first. Logged out: a link to log in.
 */
export function buyControl(app, { type, field, id, needsMember, label, onAdded }) {
  if (!app.loggedIn()) {
    return h("a", { class: "button", href: "#/login" }, app.t("buy.login_to_buy"));
  }
  const status = h("p", { class: "small", role: "status" });
  const selectId = `buy-${type}-${id}`;
  const select = needsMember
    ? h("select", { id: selectId }, app.account.members.map((m) =>
        h("option", { value: m.id }, `${m.first_name} ${m.last_name}`)))
    : null;
  const button = h("button", { type: "button", class: "primary", onclick: async () => {
    button.disabled = true;
    try {
      const item = { type, [field]: id };
      if (select) item.member_id = select.value;
      await app.addToCart(item);
      if (onAdded) onAdded();
      status.className = "small notice ok";
      status.replaceChildren(app.t("buy.added"), " ",
                             h("a", { href: "#/cart" }, app.t("buy.see_cart")));
    } catch (err) {
      status.className = "small notice error";
      status.textContent = app.errorText(err);
    } finally {
      button.disabled = false;
    }
  } }, label || app.t("buy.add"));
  return h("div", {},
    select ? h("label", { for: selectId }, app.t("buy.for_member")) : null, select,
    h("div", { class: "row", style: "margin-top:.5rem" }, button), status);
}
