/**
 * One activity: register a member for the whole session, or pick à la carte dates in a
 * month calendar (available dates in blue, full dates marked full), then press "+" beside
 * each participant. A seat can be paid with money, a pass already owned, or a pass put in
 * the same cart (R3.10: pay_with {cart_item_id}).
 */
import { h, mount } from "/web/common/dom.js";
import { ageOn } from "/web/common/format.js";
import { passFacts } from "./catalog.js";
import { ageProblem, buyControl, facts, reason, sessionProblem } from "./describe.js";
import { loadWaitlist, waitlistControl } from "./waitlist.js";

export async function activityView(app, main, activityId) {
  await app.loadCatalog(true);
  const activity = app.activity(activityId);
  if (!activity) {
    mount(main, app.notice("error", app.t("errors.not_found")));
    return;
  }
  const passes = app.loggedIn()
    ? (await app.api.get(app.path(`/accounts/${app.session.account_id}/passes`))).items : [];
  const waitlist = await loadWaitlist(app);
  const state = { app, activity, passes, waitlist, month: null, day: null, occurrences: [] };
  const first = activity.first_starts_at && app.fmt.dayKey(activity.first_starts_at);
  const start = first && first > app.fmt.today() ? first : app.fmt.today();
  state.month = { year: Number(start.slice(0, 4)), month: Number(start.slice(5, 7)) - 1 };
  state.calendar = h("div");
  state.sessionBox = h("div");
  if (activity.session?.enabled) drawSession(state);
  mount(main,
    h("p", {}, h("a", { href: "#/" }, `← ${app.t("activity.back")}`)),
    h("h1", {}, activity.name),
    facts(app, activity),
    activity.session?.enabled ? state.sessionBox : null,
    activity.a_la_carte?.enabled ? h("section", { class: "card", "aria-labelledby": "alc" },
      h("h2", { id: "alc" }, app.t("activity.a_la_carte_title")),
      passOffers(state),
      state.calendar) : null);
  await loadMonth(state);
}

function drawSession(state) {
  mount(state.sessionBox, sessionCard(state));
}

/** Read the account's waiting list again and redraw what shows it. */
async function refreshWaitlist(state) {
  state.waitlist = await loadWaitlist(state.app);
  if (state.activity.session?.enabled) drawSession(state);
  if (state.activity.a_la_carte?.enabled) drawCalendar(state);
}

function sessionCard(state) {
  const { app, activity } = state;
  const session = activity.session;
  const problem = sessionProblem(session);
  const firstDay = activity.schedule?.start_date
    || (activity.first_starts_at && app.fmt.dayKey(activity.first_starts_at)) || app.fmt.today();
  const rows = app.loggedIn() ? app.account.members.map((member) => {
    const name = `${member.first_name} ${member.last_name}`;
    const inCart = app.cart?.items.some((i) => i.type === "session" && i.member_id === member.id
                                               && i.activity_id === activity.id);
    const blocked = problem ? reason(app, problem, session)
      : ageProblem(app, member, activity, firstDay, ageOn);
    const status = h("span", { class: "small", role: "status" });
    const full = problem === "full" && !inCart
      && !ageProblem(app, member, activity, firstDay, ageOn);
    return h("div", { class: "participant" }, h("span", {}, name, " ", status),
      inCart ? h("span", { class: "tag ok" }, app.t("activity.in_cart"))
        : full ? waitlistControl(app, member, { activityId: activity.id }, state.waitlist,
                                 () => refreshWaitlist(state))
        : blocked ? h("span", { class: "tag warn" }, blocked)
          : h("button", { type: "button", class: "primary", onclick: async (event) => {
            event.currentTarget.disabled = true;
            try {
              await app.addToCart({ type: "session", activity_id: activity.id, member_id: member.id });
              app.flash = { kind: "ok", text: app.t("activity.added", { name }) };
              app.render();
            } catch (err) {
              status.textContent = app.errorText(err);
              event.target.disabled = false;
            }
          }, "aria-label": app.t("activity.register_named", { name }) }, app.t("activity.register")));
  }) : [h("p", {}, h("a", { href: "#/login" }, app.t("buy.login_to_buy")))];
  return h("section", { class: "card", "aria-labelledby": "session" },
    h("h2", { id: "session" }, app.t("activity.session_title")),
    h("p", {}, h("span", { class: "price" }, app.fmt.money(session.price)), " · ",
      app.t("activity.seats_left", { count: session.available ?? 0 }),
      problem ? [" · ", h("span", { class: "tag warn" }, reason(app, problem, session))] : null),
    problem === "full" && app.loggedIn() ? h("p", { class: "small muted" }, app.t("waitlist.explain")) : null,
    rows);
}

function eligiblePassTypes({ app, activity }) {
  return app.catalog.passTypes.filter((t) => t.eligible_activity_ids.includes(activity.id));
}

function passOffers(state) {
  const { app, activity } = state;
  const types = eligiblePassTypes(state);
  if (!types.length) return null;
  return h("details", { open: activity.a_la_carte.pass_only || false },
    h("summary", {}, app.t("activity.pass_offer")),
    types.map((type) => h("div", { class: "card" }, h("h3", {}, type.name), passFacts(app, type),
      buyControl(app, { type: "pass", field: "pass_type_id", id: type.id,
                        needsMember: !type.family, onAdded: () => drawCalendar(state) }))));
}

/** How a seat may be paid: passes in this cart and owned passes that cover the activity. */
function payOptions(state, member) {
  const { app, activity } = state;
  const typeIds = new Set(eligiblePassTypes(state).map((t) => t.id));
  const options = [];
  for (const item of app.cart?.items || []) {
    const ref = item.reference || {};
    if (item.type === "pass" && typeIds.has(ref.pass_type_id)
        && (!item.member_id || item.member_id === member.id)) {
      const type = app.catalog.passTypes.find((t) => t.id === ref.pass_type_id);
      options.push({ value: { cart_item_id: item.id },
                     label: app.t("activity.pay_cart_pass", { name: type?.name || "" }) });
    }
  }
  for (const pass of state.passes) {
    if (pass.status === "active" && pass.uses_left !== 0 && typeIds.has(pass.pass_type_id)
        && (pass.family || !pass.member_id || pass.member_id === member.id)) {
      options.push({ value: { pass_id: pass.id }, label: app.t("activity.pay_pass", {
        name: pass.name, left: pass.uses_left == null ? app.t("pass.unlimited")
          : app.t("pass.uses_left", { count: pass.uses_left }) }) });
    }
  }
  if (!activity.a_la_carte.pass_only) {
    options.push({ value: null, label: app.t("activity.pay_money", {
      price: app.fmt.money(activity.a_la_carte.price) }) });
  }
  return options;
}

async function loadMonth(state) {
  const { app, activity, month } = state;
  const from = `${month.year}-${String(month.month + 1).padStart(2, "0")}-01`;
  const next = new Date(Date.UTC(month.year, month.month + 1, 1));
  const to = next.toISOString().slice(0, 10);
  try {
    state.occurrences = await app.api.all(
      app.path(`/shop/activities/${activity.id}/occurrences`), { from, to });
  } catch (err) {
    mount(state.calendar, app.notice("error", app.errorText(err)));
    return;
  }
  drawCalendar(state);
}

function dayStatus(occurrences) {
  if (occurrences.some((o) => o.a_la_carte.bookable)) return "available";
  if (occurrences.some((o) => o.a_la_carte.reason === "sold_out")) return "full";
  return "closed";
}

function drawCalendar(state) {
  const { app, month } = state;
  const byDay = new Map();
  for (const occurrence of state.occurrences) {
    const key = app.fmt.dayKey(occurrence.starts_at);
    byDay.set(key, [...(byDay.get(key) || []), occurrence]);
  }
  const shift = (delta) => () => {
    const d = new Date(Date.UTC(month.year, month.month + delta, 1));
    state.month = { year: d.getUTCFullYear(), month: d.getUTCMonth() };
    state.day = null;
    loadMonth(state);
  };
  const firstWeekday = (new Date(Date.UTC(month.year, month.month, 1)).getUTCDay() + 6) % 7;
  const days = new Date(Date.UTC(month.year, month.month + 1, 0)).getUTCDate();
  const cells = Array.from({ length: firstWeekday }, () => h("td", {}));
  for (let d = 1; d <= days; d += 1) {
    const key = `${month.year}-${String(month.month + 1).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
    const list = byDay.get(key);
    if (!list) { cells.push(h("td", { class: "empty" }, String(d))); continue; }
    const status = dayStatus(list);
    cells.push(h("td", {}, h("button", {
      type: "button", class: `day ${status}`, "aria-pressed": String(state.day === key),
      "data-day": key, "aria-label": `${app.fmt.day(key)} : ${app.t(`calendar.${status}`)}`,
      onclick: () => { state.day = key; drawCalendar(state); state.calendar.querySelector(".selected-day h3")?.focus(); },
    }, String(d), h("small", { "aria-hidden": "true" }, app.t(`calendar.${status}_short`)))));
  }
  const rows = [];
  for (let i = 0; i < cells.length; i += 7) rows.push(h("tr", {}, cells.slice(i, i + 7)));
  mount(state.calendar,
    h("div", { class: "spread" },
      h("button", { type: "button", onclick: shift(-1), "aria-label": app.t("calendar.previous") }, "‹"),
      h("h3", { id: "month", "aria-live": "polite" }, app.fmt.month(month.year, month.month)),
      h("button", { type: "button", onclick: shift(1), "aria-label": app.t("calendar.next") }, "›")),
    h("table", { class: "calendar", "aria-labelledby": "month" },
      h("thead", {}, h("tr", {}, [0, 1, 2, 3, 4, 5, 6].map((i) =>
        h("th", { scope: "col", abbr: app.fmt.weekday(i) }, app.fmt.weekday(i, "short"))))),
      h("tbody", {}, rows)),
    h("div", { class: "legend" },
      h("span", { class: "l-available" }, app.t("calendar.available")),
      h("span", { class: "l-full" }, app.t("calendar.full")),
      h("span", { class: "l-closed" }, app.t("calendar.closed"))),
    state.occurrences.length ? null : h("p", { class: "muted" }, app.t("calendar.none_this_month")),
    state.day ? dayPanel(state, byDay.get(state.day) || []) : null);
}

function dayPanel(state, occurrences) {
  const { app } = state;
  return h("div", { class: "selected-day" },
    h("h3", { tabindex: "-1" }, app.fmt.date(`${state.day}T12:00:00Z`)),
    occurrences.map((occurrence) => occurrenceBlock(state, occurrence)));
}

function occurrenceBlock(state, occurrence) {
  const { app, activity } = state;
  const alc = occurrence.a_la_carte;
  const when = `${app.fmt.time(occurrence.starts_at)} – ${app.fmt.time(occurrence.ends_at)}`;
  const head = h("p", {}, h("strong", {}, when), " · ",
    alc.bookable ? app.t("activity.seats_left", { count: alc.available })
      : h("span", { class: `tag ${alc.reason === "sold_out" ? "bad" : "warn"}` },
          reason(app, alc.reason === "registration_not_open" ? "not_open" : alc.reason, alc)));
  if (!alc.bookable) {  // still show who of the household holds a seat here
    const members = app.loggedIn() ? app.account.members : [];
    const isHeld = (m) => app.cart?.items.some((i) => i.occurrence_id === occurrence.id && i.member_id === m.id);
    const day = app.fmt.dayKey(occurrence.starts_at);
    // a full date: the waiting list (R3.9) for each member who could take the seat
    const waiting = alc.reason === "sold_out"
      ? members.filter((m) => !isHeld(m) && !ageProblem(app, m, activity, day, ageOn)) : [];
    return h("div", { class: "card" }, head,
      members.filter(isHeld).map((m) => h("div", { class: "participant" },
        h("span", {}, `${m.first_name} ${m.last_name}`), h("span", { class: "tag ok" }, app.t("activity.in_cart")))),
      waiting.length ? h("p", { class: "small muted" }, app.t("waitlist.explain")) : null,
      waiting.map((m) => h("div", { class: "participant" }, h("span", {}, `${m.first_name} ${m.last_name}`),
        waitlistControl(app, m, { occurrenceId: occurrence.id }, state.waitlist, () => refreshWaitlist(state)))));
  }
  if (!app.loggedIn()) {
    return h("div", { class: "card" }, head, h("a", { href: "#/login" }, app.t("buy.login_to_buy")));
  }
  const day = app.fmt.dayKey(occurrence.starts_at);
  const rows = app.account.members.map((member) => {
    const name = `${member.first_name} ${member.last_name}`;
    const inCart = app.cart?.items.some((i) => i.occurrence_id === occurrence.id
                                               && i.member_id === member.id);
    const blocked = ageProblem(app, member, activity, day, ageOn);
    const options = payOptions(state, member);
    const status = h("span", { class: "small", role: "status" });
    const selectId = `pay-${occurrence.id}-${member.id}`;
    const select = h("select", { id: selectId, "aria-label": app.t("activity.pay_for", { name }) },
      options.map((o, i) => h("option", { value: String(i) }, o.label)));
    let control;
    if (inCart) control = h("span", { class: "tag ok" }, app.t("activity.in_cart"));
    else if (blocked) control = h("span", { class: "tag warn" }, blocked);
    else if (!options.length) control = h("span", { class: "tag warn" }, app.t("reasons.pass_only"));
    else {
      control = h("span", { class: "row" }, options.length > 1 ? select : h("span", { class: "small" }, options[0].label),
        h("button", { type: "button", class: "add primary", "data-member": member.id,
          "aria-label": app.t("activity.add_named", { name, when: `${app.fmt.day(day)} ${when}` }),
          onclick: async (event) => {
            const button = event.currentTarget;
            button.disabled = true;
            const chosen = options[Number(select.value || 0)];
            try {
              await app.addToCart({ type: "a_la_carte", occurrence_id: occurrence.id,
                                    member_id: member.id,
                                    ...(chosen.value ? { pay_with: chosen.value } : {}) });
              app.announce(app.t("activity.added", { name }));
              await loadMonth(state);
            } catch (err) {
              status.textContent = app.errorText(err);
              button.disabled = false;
            }
          } }, "+"));
    }
    return h("div", { class: "participant" }, h("span", {}, name, " ", status), control);
  });
  return h("div", { class: "card" }, head, rows,
    h("p", { class: "small" }, h("a", { href: "#/cart" }, app.t("activity.go_to_cart"))));
}
