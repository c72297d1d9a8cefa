// The salon agenda: a day per staff member; book for the selected client, apply a bundle
// (price 0, "×" to undo, a choice when two bundles hold the service, R4.6), check out at the
// counter with the bundle applied there if it was not (R4.7), cancel.
import * as api from "../api.js";
import { t, words } from "../i18n.js";
import * as f from "../fmt.js";
import { h, field, input, select, messageArea, say, attempt, section, dialog } from "../ui.js";

let day = null;
let staffFilter = "";
let mode = "day";

export async function render(main, ctx) {
  day = day || f.localDate();
  const [staff, services] = await Promise.all([api.all("/orgs/{org}/staff"), api.all("/orgs/{org}/services")]);
  const msg = messageArea();
  const board = h("div", { class: "agenda", id: "agenda-board" });
  const dateInput = input({ type: "date", value: day, name: "date" });
  const staffSel = select([["", t("agenda.all_staff")], ...staff.map((s) => [s.id, s.name])], { value: staffFilter, name: "staff_filter" });
  const heading = h("h2", { id: "agenda-day" });

  const draw = async () => {
    if (mode === "week") { await drawWeek(board, heading, staff, msg); return; }
    heading.textContent = f.longDay(day);
    const q = `date=${day}${staffFilter ? `&staff_id=${staffFilter}` : ""}`;
    const data = await attempt(msg, () => api.get(`/orgs/{org}/agenda?${q}`));
    if (!data) return;
    const columns = staffFilter ? data.staff : staff.map((s) => data.staff.find((x) => x.staff_id === s.id)
      || { staff_id: s.id, staff_name: s.name, appointments: [] }).concat(data.staff.filter((x) => !x.staff_id && x.appointments.length));
    board.replaceChildren(...columns.map((col) => h("section", { class: "staff-col", "aria-label": col.staff_name || t("agenda.no_staff") },
      h("h3", {}, col.staff_name || t("agenda.no_staff")),
      col.appointments.length ? h("ul", { class: "plain" }, col.appointments
        .sort((a, b) => a.starts_at.localeCompare(b.starts_at)).map((ap) => card(ap, ctx, msg, draw)))
        : h("p", { class: "muted" }, t("agenda.free_day")))));
  };
  const syncForm = () => { const d = main.querySelector("input[name=book_date]"); if (d) d.value = day; };
  const moveDay = (n) => { day = f.addDays(day, n); dateInput.value = day; syncForm(); draw(); };
  dateInput.addEventListener("change", () => { if (dateInput.value) { day = dateInput.value; syncForm(); draw(); } });
  staffSel.addEventListener("change", () => { staffFilter = staffSel.value; draw(); });

  main.replaceChildren(h("h1", {}, t("nav.agenda")),
    h("div", { class: "toolbar" },
      h("button", { type: "button", class: "secondary", onclick: () => moveDay(-1) }, t("agenda.prev")),
      field(t("agenda.date"), dateInput),
      h("button", { type: "button", class: "secondary", onclick: () => moveDay(1) }, t("agenda.next")),
      h("button", { type: "button", class: "secondary", onclick: () => { day = f.localDate(); dateInput.value = day; draw(); } }, t("agenda.today")),
      field(t("agenda.staff"), staffSel),
      h("button", { type: "button", class: "secondary", "aria-pressed": String(mode === "week"),
        onclick: (e) => { mode = mode === "week" ? "day" : "week"; e.currentTarget.setAttribute("aria-pressed", String(mode === "week")); draw(); } }, t("agenda.week_view"))),
    bookingForm(ctx, staff, services, () => day, msg, draw),
    heading, msg, board);
  await draw();
}

function bookingForm(ctx, staff, services, getDay, msg, redraw) {
  if (!ctx.client) return section(t("agenda.book"), h("p", {}, t("agenda.pick_client_first"), " ", h("a", { href: "#counter" }, t("nav.counter"))));
  const member = select((ctx.client.members || []).map((m) => [m.id, `${m.first_name} ${m.last_name}`]), { name: "member_id" });
  const service = select(services.map((s) => [s.id, `${s.name} (${s.duration_minutes} min, ${f.money(s.price)})`]), { name: "service_id" });
  const who = select([["", t("agenda.anyone")], ...staff.map((s) => [s.id, s.name])], { name: "staff_id", value: staffFilter });
  const when = input({ type: "date", name: "book_date", value: getDay(), required: true });
  const at = input({ type: "time", name: "book_time", value: "10:00", required: true, step: "300" });
  const apply = input({ type: "checkbox", name: "apply_bundle" });
  const local = messageArea();
  const form = h("form", { class: "grid", onsubmit: async (e) => {
    e.preventDefault();
    const body = { member_id: member.value, service_id: service.value, starts_at: f.zonedIso(when.value, at.value) };
    if (who.value) body.staff_id = who.value;
    if (apply.checked) body.apply_bundle = true;
    let done = null;
    try {
      done = await api.post("/orgs/{org}/appointments", body);
    } catch (err) {
      if (err.code !== "bundle_choice_required") say(local, words(err), "error");
      else {
        const chosen = await chooseBundle(err.details.candidates || []);
        delete body.apply_bundle;
        if (chosen) done = await attempt(local, () => api.post("/orgs/{org}/appointments", { ...body, bundle_id: chosen }));
      }
    }
    if (done) {
      say(local, t("agenda.booked", { service: done.service_name || "", time: f.time(done.starts_at) }), "ok");
      if (when.value !== getDay()) { day = when.value; }
      await redraw();
    }
  } }, field(t("agenda.client_member"), member), field(t("agenda.service"), service), field(t("agenda.staff"), who),
  field(t("agenda.date"), when), field(t("agenda.time"), at),
  h("div", { class: "field check" }, apply, h("label", { for: (apply.id = "apply-bundle-now") }, t("agenda.apply_now"))),
  h("div", { class: "actions" }, h("button", { type: "submit" }, t("agenda.book_button"))), local);
  return section(t("agenda.book_for", { name: ctx.client.name }), form);
}

function chooseBundle(candidates) {
  return dialog(t("bundle.choose_title"), (close) => h("div", {},
    h("p", {}, t("bundle.choose_intro")),
    h("ul", { class: "plain" }, candidates.map((c) => h("li", {},
      h("button", { type: "button", onclick: () => close(c.id) },
        `${c.name || t("bundle.bundle")}${c.division ? ` — ${c.division}` : ""}${c.remaining !== undefined ? ` (${t("bundle.remaining_n", { n: c.remaining })})` : ""}`)))),
    h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: () => close(null) }, t("common.back")))));
}

// Applies a bundle, asking which one when the client holds two for the service.
export async function applyBundle(appointmentId, area) {
  try {
    return await api.post(`/orgs/{org}/appointments/${appointmentId}/bundle`, {});
  } catch (err) {
    if (err.code !== "bundle_choice_required") { say(area, words(err), "error"); return null; }
    const chosen = await chooseBundle(err.details.candidates || []);
    if (!chosen) return null;
    return attempt(area, () => api.post(`/orgs/{org}/appointments/${appointmentId}/bundle`, { bundle_id: chosen }));
  }
}

function card(ap, ctx, msg, redraw) {
  const booked = ap.status === "booked";
  const applied = !!ap.bundle_id && ["applied", "applying", "using", "used"].includes(ap.bundle_status || "applied");
  const actions = [];
  if (booked) {
    if (applied) {
      actions.push(h("button", { type: "button", class: "link undo", "aria-label": t("agenda.remove_bundle", { service: ap.service_name }),
        title: t("agenda.remove_bundle", { service: ap.service_name }),
        onclick: async () => { if (await attempt(msg, () => api.del(`/orgs/{org}/appointments/${ap.id}/bundle`), t("agenda.bundle_removed"))) redraw(); } }, "×"));
    } else {
      actions.push(h("button", { type: "button", class: "secondary",
        onclick: async () => { if (await applyBundle(ap.id, msg)) { say(msg, t("agenda.bundle_applied"), "ok"); redraw(); } } }, t("agenda.apply_bundle")));
    }
    actions.push(h("button", { type: "button", onclick: async () => { if (await checkoutDialog(ap, applied)) redraw(); } }, t("agenda.checkout")));
    actions.push(h("button", { type: "button", class: "secondary", onclick: async () => {
      if (await attempt(msg, () => api.post(`/orgs/{org}/appointments/${ap.id}/cancel`, {}), t("agenda.cancelled"))) redraw();
    } }, t("agenda.cancel")));
  }
  return h("li", { class: `appt ${ap.status}`, dataset: { appointment: ap.id } },
    h("div", { class: "when" }, `${f.time(ap.starts_at)}–${f.time(ap.ends_at)}`),
    h("div", {}, h("strong", {}, ap.member_name || ""), " · ", ap.service_name || ""),
    h("div", { class: "appt-price" },
      h("span", { class: "price" }, f.money(ap.price)),
      applied ? h("span", { class: "tag" }, t("agenda.bundle_tag")) : null,
      h("span", { class: `status s-${ap.status}` }, t(`appt.${ap.status}`))),
    actions.length ? h("div", { class: "row-actions" }, actions) : null);
}

async function checkoutDialog(ap, applied) {
  const bundles = applied ? [] : (await api.get(`/orgs/{org}/accounts/${ap.account_id}/bundles`)).items
    .filter((b) => b.status !== "revoked" && b.items.some((i) => i.service_id === ap.service_id && i.remaining > 0));
  return dialog(t("agenda.checkout_title", { service: ap.service_name || "" }), (close) => {
    const bundle = select([["", t("agenda.no_bundle")], ...bundles.map((b) => {
      const i = b.items.find((x) => x.service_id === ap.service_id);
      return [b.id, `${t("agenda.apply_bundle")}: ${b.name || ""} — ${b.division} (${t("bundle.remaining_n", { n: i.remaining })})`];
    })], { name: "checkout_bundle" });
    const method = select([["cash", t("pay.cash")], ["card", t("pay.card")], ["account_credit", t("pay.account_credit")]], { name: "checkout_method" });
    const token = input({ name: "checkout_card_token", value: "tok_ok" });
    const tokenField = field(t("pay.card_token"), token, t("pay.card_token_hint"));
    tokenField.hidden = true;
    const total = h("strong", { id: "checkout-total" });
    const sync = () => {
      const free = applied || !!bundle.value;
      total.textContent = f.money(free ? 0 : ap.service_price ?? ap.price);
      tokenField.hidden = free || method.value !== "card";
    };
    bundle.addEventListener("change", sync); method.addEventListener("change", sync);
    sync();
    const area = messageArea();
    return h("form", { onsubmit: async (e) => {
      e.preventDefault();
      const body = { payment: { method: method.value } };
      if (method.value === "card") body.payment.card_token = token.value.trim();
      if (bundle.value) body.bundle_id = bundle.value;
      const done = await attempt(area, () => api.post(`/orgs/{org}/appointments/${ap.id}/checkout`, body));
      if (done) close(done);
    } },
    applied ? h("p", {}, t("agenda.bundle_already")) : (bundles.length ? field(t("agenda.bundle_at_counter"), bundle) : h("p", { class: "muted" }, t("agenda.no_bundle_for_service"))),
    field(t("pay.method"), method), tokenField,
    h("p", { class: "total" }, t("counter.total"), " ", total),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: () => close(null) }, t("common.back")),
      h("button", { type: "submit", class: "primary" }, t("agenda.checkout_confirm"))), area);
  });
}

// The week from the shown day: a row per staff member, a column per day (read-only; the
// day view books and checks out).
async function drawWeek(board, heading, staff, msg) {
  const days = [0, 1, 2, 3, 4, 5, 6].map((n) => f.addDays(day, n));
  heading.textContent = t("agenda.week_of", { from: f.plainDate(days[0]), to: f.plainDate(days[6]) });
  const answers = await attempt(msg, () => Promise.all(days.map((d) =>
    api.get(`/orgs/{org}/agenda?date=${d}${staffFilter ? `&staff_id=${staffFilter}` : ""}`))));
  if (!answers) return;
  const people = staffFilter ? staff.filter((s) => s.id === staffFilter) : staff;
  const cell = (answer, sid) => {
    const col = answer.staff.find((x) => x.staff_id === sid);
    const appts = col ? col.appointments.slice().sort((a, b) => a.starts_at.localeCompare(b.starts_at)) : [];
    return appts.length ? h("ul", { class: "week-cell" }, appts.map((a) =>
      h("li", {}, `${f.time(a.starts_at)} ${a.service_name || ""} · ${a.member_name || ""}`))) : "";
  };
  board.replaceChildren(h("div", { class: "week" }, h("table", { tabindex: "0" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("agenda.staff")), days.map((d) => h("th", { scope: "col" }, f.plainDate(d))))),
    h("tbody", {}, people.map((p) => h("tr", {}, h("th", { scope: "row" }, p.name), answers.map((a) => h("td", {}, cell(a, p.id)))))))));
}
