// The activity form ("Horaire & Ressources", "À la carte"): a weekly schedule across a
// season with excluded dates, the session and à la carte offers, restrictions.
import * as api from "../api.js";
import { t } from "../i18n.js";
import * as f from "../fmt.js";
import { h, field, input, select, messageArea, say, attempt } from "../ui.js";

const num = (attrs = {}) => input({ type: "number", min: "0", step: "1", inputmode: "numeric", ...attrs });

export function activityForm(programs, memberships, reload) {
  const program = select(programs.map((p) => [p.id, p.name]), { name: "program_id" });
  const name = input({ name: "activity_name", required: true }), code = input({ name: "activity_code" });
  const start = input({ type: "date", name: "start_date", required: true }), end = input({ type: "date", name: "end_date", required: true });
  const slots = h("div", { class: "slots" });
  const excluded = h("ul", { class: "plain chips", "aria-live": "polite" });
  const exDate = input({ type: "date", name: "excluded_date" });
  const sEnabled = input({ type: "checkbox", name: "session_enabled", id: "session-enabled", checked: true });
  const sPrice = input({ name: "session_price", inputmode: "decimal" }), sCap = num({ name: "session_capacity" });
  const aEnabled = input({ type: "checkbox", name: "alc_enabled", id: "alc-enabled" });
  const aPrice = input({ name: "alc_price", inputmode: "decimal" }), aCap = num({ name: "alc_capacity" });
  const passOnly = input({ type: "checkbox", name: "pass_only", id: "pass-only" });
  const cancelAllowed = input({ type: "checkbox", name: "cancel_allowed", id: "cancel-allowed", checked: true });
  const cancelBefore = num({ name: "cancel_minutes", value: "120" });
  const minAge = num({ name: "min_age", max: "150" }), maxAge = num({ name: "max_age", max: "150" });
  const needs = memberships.length ? h("fieldset", {}, h("legend", {}, t("setup.membership_required")), memberships.map((m, i) =>
    h("div", { class: "check" }, h("input", { type: "checkbox", id: `need-m-${i}`, value: m.id }), h("label", { for: `need-m-${i}` }, m.name)))) : null;
  const area = messageArea();
  const excludedDates = new Set();

  const weekdays = [0, 1, 2, 3, 4, 5, 6].map((d) => [d, new Intl.DateTimeFormat(document.documentElement.lang, { weekday: "long", timeZone: "UTC" })
    .format(new Date(Date.UTC(2024, 0, 1 + d)))]); // 2024-01-01 is a Monday
  const addSlot = () => {
    const k = slots.children.length + 1;
    const wd = select(weekdays, { name: `slot_${k}_weekday` });
    const at = input({ type: "time", name: `slot_${k}_time`, value: "18:00", required: true });
    const dur = num({ name: `slot_${k}_minutes`, value: "60", min: "1" });
    const row = h("div", { class: "grid slot" }, field(t("setup.weekday"), wd), field(t("agenda.time"), at), field(t("setup.duration_minutes"), dur),
      h("button", { type: "button", class: "link", "aria-label": t("setup.remove_slot", { n: k }), onclick: () => row.remove() }, "×"));
    row.collect = () => ({ weekday: +wd.value, start_time: at.value, duration_minutes: +dur.value });
    slots.append(row);
  };
  addSlot();
  const drawExcluded = () => excluded.replaceChildren(...[...excludedDates].sort().map((d) => h("li", {}, f.plainDate(d),
    h("button", { type: "button", class: "link", "aria-label": t("setup.remove_date", { date: f.plainDate(d) }),
      onclick: () => { excludedDates.delete(d); drawExcluded(); } }, "×"))));

  return h("form", { class: "activity-form", onsubmit: async (e) => {
    e.preventDefault();
    const payload = { program_id: program.value, name: name.value.trim(),
      schedule: { start_date: start.value, end_date: end.value, slots: [...slots.children].map((r) => r.collect()), excluded_dates: [...excludedDates].sort() },
      session: { enabled: sEnabled.checked }, a_la_carte: { enabled: aEnabled.checked, pass_only: passOnly.checked,
        cancellation: { allowed: cancelAllowed.checked, deadline_minutes_before: +cancelBefore.value || 0 } },
      restrictions: {} };
    if (code.value.trim()) payload.accounting_code = code.value.trim();
    if (sEnabled.checked) { payload.session.price = f.parseMoney(sPrice.value); payload.session.capacity = sCap.value ? +sCap.value : null; }
    if (aEnabled.checked) { payload.a_la_carte.price = f.parseMoney(aPrice.value); payload.a_la_carte.capacity = aCap.value ? +aCap.value : null; }
    if (minAge.value) payload.restrictions.min_age = +minAge.value;
    if (maxAge.value) payload.restrictions.max_age = +maxAge.value;
    if (needs) payload.restrictions.membership_type_ids = [...needs.querySelectorAll("input:checked")].map((x) => x.value);
    const made = await attempt(area, () => api.post("/orgs/{org}/activities", payload));
    if (made) reload(t("setup.activity_created", { n: made.occurrence_count }));
  } },
  h("div", { class: "grid" }, field(t("setup.program"), program), field(t("setup.name"), name), field(t("setup.code"), code)),
  h("fieldset", {}, h("legend", {}, t("setup.schedule")),
    h("div", { class: "grid" }, field(t("setup.season_start"), start), field(t("setup.season_end"), end)),
    slots, h("button", { type: "button", class: "secondary", onclick: addSlot }, t("setup.add_slot")),
    h("div", { class: "inline" }, field(t("setup.excluded_date"), exDate),
      h("button", { type: "button", class: "secondary", onclick: () => { if (exDate.value) { excludedDates.add(exDate.value); exDate.value = ""; drawExcluded(); } } }, t("setup.exclude"))),
    excluded),
  h("fieldset", {}, h("legend", {}, t("setup.session")),
    h("div", { class: "check" }, sEnabled, h("label", { for: "session-enabled" }, t("setup.session_enabled"))),
    h("div", { class: "grid" }, field(t("setup.price"), sPrice), field(t("setup.capacity"), sCap))),
  h("fieldset", {}, h("legend", {}, t("setup.a_la_carte")),
    h("div", { class: "check" }, aEnabled, h("label", { for: "alc-enabled" }, t("setup.alc_enabled"))),
    h("div", { class: "grid" }, field(t("setup.price"), aPrice), field(t("setup.capacity_per"), aCap)),
    h("div", { class: "check" }, passOnly, h("label", { for: "pass-only" }, t("setup.pass_only"))),
    h("div", { class: "check" }, cancelAllowed, h("label", { for: "cancel-allowed" }, t("setup.cancel_allowed"))),
    field(t("setup.cancel_minutes"), cancelBefore)),
  h("fieldset", {}, h("legend", {}, t("setup.restrictions")),
    h("div", { class: "grid" }, field(t("setup.min_age"), minAge), field(t("setup.max_age"), maxAge)), needs),
  h("div", { class: "actions" }, h("button", { type: "submit" }, t("setup.create_activity"))), area);
}
