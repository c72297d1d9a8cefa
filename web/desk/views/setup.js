// The back office (admin): services, bundle types with divisions and their computed or
// overridden price (R2.11), programs and activities with their schedule and offers, pass
// types, membership types and subscription plans.
import * as api from "../api.js";
import { t } from "../i18n.js";
import * as f from "../fmt.js";
import { h, field, input, select, messageArea, say, attempt, section, table } from "../ui.js";
import { activityForm } from "./activity_form.js";

const TABS = ["services", "bundles", "activities", "passes", "memberships", "plans"];

export async function render(main, ctx, [tab = "services"]) {
  const nav = h("nav", { class: "subnav", "aria-label": t("setup.sections") }, h("ul", {}, TABS.map((k) =>
    h("li", {}, h("a", { href: `#setup/${k}`, "aria-current": k === tab ? "page" : undefined }, t(`setup.${k}`))))));
  const body = h("div", {});
  main.replaceChildren(h("h1", {}, t("nav.setup")), ctx.role !== "admin" ? h("p", { class: "message" }, t("setup.admin_only")) : null, nav, body);
  const reload = (text) => { if (text) ctx.flash(text); ctx.go(`#setup/${tab}`); };
  const views = { services, bundles, activities, passes, memberships, plans };
  await (views[tab] || services)(body, reload);
}

const num = (attrs = {}) => input({ type: "number", min: "0", step: "1", inputmode: "numeric", ...attrs });
const moneyField = (attrs = {}) => input({ inputmode: "decimal", autocomplete: "off", ...attrs });
function need(area, value, label) {
  if (value === null || value === undefined || value === "" || Number.isNaN(value)) { say(area, t("setup.missing", { field: label }), "error"); return false; }
  return true;
}

async function services(body, reload) {
  const items = await api.all("/orgs/{org}/services");
  const name = input({ name: "service_name", required: true }), minutes = num({ name: "service_minutes", value: "30", min: "1" });
  const price = moneyField({ name: "service_price", required: true }), code = input({ name: "service_code" });
  const area = messageArea();
  body.replaceChildren(section(t("setup.services"), table([t("setup.name"), t("setup.duration"), t("setup.price"), t("setup.code")],
    items.map((s) => [s.name, `${s.duration_minutes} min`, f.money(s.price), s.accounting_code || "—"]))),
  section(t("setup.new_service"), h("form", { class: "grid", onsubmit: async (e) => {
    e.preventDefault();
    const minor = f.parseMoney(price.value);
    if (!need(area, minor, t("setup.price"))) return;
    const payload = { name: name.value.trim(), duration_minutes: +minutes.value, price: minor };
    if (code.value.trim()) payload.accounting_code = code.value.trim();
    if (await attempt(area, () => api.post("/orgs/{org}/services", payload))) reload();
  } }, field(t("setup.name"), name), field(t("setup.duration_minutes"), minutes), field(t("setup.price"), price),
  field(t("setup.code"), code), h("div", { class: "actions" }, h("button", { type: "submit" }, t("setup.create"))), area)));
}

async function bundles(body, reload) {
  const [items, svc] = await Promise.all([api.all("/orgs/{org}/bundle-types"), api.all("/orgs/{org}/services")]);
  const svcName = (id) => (svc.find((s) => s.id === id) || {}).name || id;
  const list = section(t("setup.bundles"), items.length ? items.map((b) => h("div", { class: "bundle" }, h("h3", {}, b.name),
    table([t("setup.division"), t("setup.contents"), t("setup.price")], b.divisions.map((d) => [d.name,
      d.items.map((i) => `${i.count} × ${svcName(i.service_id)}`).join(", "),
      `${f.money(d.price)} ${d.price_overridden ? t("setup.overridden") : t("setup.computed")}`])))) : h("p", { class: "muted" }, t("common.none")));
  if (!svc.length) { body.replaceChildren(list, section(t("setup.new_bundle"), h("p", {}, t("setup.services_first")))); return; }
  const name = input({ name: "bundle_name", required: true });
  const divisions = h("div", { class: "divisions" });
  const area = messageArea();
  const addDivision = () => {
    const n = divisions.children.length + 1;
    const dname = input({ name: `division_${n}_name`, required: true });
    const rows = h("div", { class: "bundle-items" });
    const computed = h("output", { class: "computed" });
    const override = moneyField({ name: `division_${n}_price` });
    const recompute = () => {
      let sum = 0;
      for (const r of rows.children) {
        const s = svc.find((x) => x.id === r.querySelector("select").value);
        sum += (s ? s.price : 0) * (+r.querySelector("input").value || 0);
      }
      computed.textContent = t("setup.computed_price", { price: f.money(sum) });
    };
    const addItem = () => {
      const k = rows.children.length + 1;
      const s = select(svc.map((x) => [x.id, `${x.name} (${f.money(x.price)})`]), { name: `division_${n}_service_${k}` });
      const c = num({ name: `division_${n}_count_${k}`, value: "1", min: "1" });
      s.addEventListener("change", recompute); c.addEventListener("input", recompute);
      rows.append(h("div", { class: "grid item-row" }, field(t("setup.service"), s), field(t("setup.count"), c)));
      recompute();
    };
    const box = h("fieldset", { class: "division" }, h("legend", {}, t("setup.division_n", { n })),
      field(t("setup.division_name"), dname), rows,
      h("button", { type: "button", class: "secondary", onclick: addItem }, t("setup.add_service")),
      computed, field(t("setup.price_override"), override, t("setup.price_override_hint")));
    box.collect = () => {
      const d = { name: dname.value.trim(), items: [...rows.children].map((r) => ({ service_id: r.querySelector("select").value, count: +r.querySelector("input").value })) };
      if (override.value.trim()) d.price = f.parseMoney(override.value);
      return d;
    };
    divisions.append(box);
    addItem();
  };
  addDivision();
  body.replaceChildren(list, section(t("setup.new_bundle"), h("form", { onsubmit: async (e) => {
    e.preventDefault();
    const payload = { name: name.value.trim(), divisions: [...divisions.children].map((d) => d.collect()) };
    if (payload.divisions.some((d) => d.price === null)) { say(area, t("setup.missing", { field: t("setup.price_override") }), "error"); return; }
    if (await attempt(area, () => api.post("/orgs/{org}/bundle-types", payload))) reload();
  } }, field(t("setup.bundle_name"), name), divisions,
  h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: addDivision }, t("setup.add_division")),
    h("button", { type: "submit" }, t("setup.save"))), area)));
}

async function activities(body, reload) {
  const [programs, acts, memberships] = await Promise.all([api.all("/orgs/{org}/programs"), api.all("/orgs/{org}/activities"), api.all("/orgs/{org}/membership-types")]);
  const pname = input({ name: "program_name", required: true });
  const parea = messageArea();
  body.replaceChildren(
    section(t("setup.activities"), table([t("setup.name"), t("setup.program"), t("setup.occurrences"), t("setup.session"), t("setup.a_la_carte")],
      acts.map((a) => [a.name, (programs.find((p) => p.id === a.program_id) || {}).name || "—", String(a.occurrence_count ?? "—"),
        a.session && a.session.enabled ? `${f.money(a.session.price)} · ${t("setup.seats_n", { n: a.session.capacity })}` : "—",
        a.a_la_carte && a.a_la_carte.enabled ? `${f.money(a.a_la_carte.price)} · ${t("setup.seats_n", { n: a.a_la_carte.capacity })}` : "—"]))),
    section(t("setup.new_program"), h("ul", { class: "plain" }, programs.map((p) => h("li", {}, p.name))),
      h("form", { class: "inline", onsubmit: async (e) => {
        e.preventDefault();
        if (await attempt(parea, () => api.post("/orgs/{org}/programs", { name: pname.value.trim() }))) reload();
      } }, field(t("setup.program_name"), pname), h("button", { type: "submit" }, t("setup.create")), parea)),
    programs.length ? section(t("setup.new_activity"), activityForm(programs, memberships, reload)) : section(t("setup.new_activity"), h("p", {}, t("setup.program_first"))));
}

async function passes(body, reload) {
  const [items, acts] = await Promise.all([api.all("/orgs/{org}/pass-types"), api.all("/orgs/{org}/activities")]);
  const name = input({ name: "pass_name", required: true }), price = moneyField({ name: "pass_price", required: true });
  const uses = num({ name: "pass_uses", min: "1" }), days = num({ name: "pass_days", min: "1" });
  const family = input({ type: "checkbox", name: "pass_family", id: "pass-family" });
  const credit = input({ type: "checkbox", name: "pass_credit", id: "pass-credit", checked: true });
  const eligible = h("fieldset", {}, h("legend", {}, t("setup.eligible")), acts.map((a, i) => h("div", { class: "check" },
    h("input", { type: "checkbox", id: `elig-${i}`, value: a.id, name: "eligible" }), h("label", { for: `elig-${i}` }, a.name))));
  const area = messageArea();
  body.replaceChildren(section(t("setup.passes"), table([t("setup.name"), t("setup.price"), t("setup.uses"), t("setup.validity"), t("setup.eligible")],
    items.map((p) => [p.name + (p.family ? ` (${t("pass.family")})` : ""), f.money(p.price), p.uses === null ? t("pass.unlimited") : String(p.uses),
      p.valid_days ? t("setup.days_n", { n: p.valid_days }) : (p.expires_on ? f.plainDate(p.expires_on) : "—"),
      (p.eligible_activity_ids || []).map((id) => (acts.find((a) => a.id === id) || {}).name || id).join(", ") || "—"]))),
  section(t("setup.new_pass"), h("form", { class: "grid", onsubmit: async (e) => {
    e.preventDefault();
    const minor = f.parseMoney(price.value);
    if (!need(area, minor, t("setup.price"))) return;
    const payload = { name: name.value.trim(), price: minor, uses: uses.value ? +uses.value : null, family: family.checked,
      credit_on_cancel: credit.checked, eligible_activity_ids: [...eligible.querySelectorAll("input:checked")].map((x) => x.value) };
    if (days.value) payload.valid_days = +days.value;
    if (await attempt(area, () => api.post("/orgs/{org}/pass-types", payload))) reload();
  } }, field(t("setup.name"), name), field(t("setup.price"), price), field(t("setup.uses"), uses, t("setup.uses_hint")),
  field(t("setup.valid_days"), days), h("div", { class: "check" }, family, h("label", { for: "pass-family" }, t("pass.family"))),
  h("div", { class: "check" }, credit, h("label", { for: "pass-credit" }, t("setup.credit_on_cancel"))), eligible,
  h("div", { class: "actions" }, h("button", { type: "submit" }, t("setup.create"))), area)));
}

async function memberships(body, reload) {
  const items = await api.all("/orgs/{org}/membership-types");
  const name = input({ name: "mt_name", required: true }), price = moneyField({ name: "mt_price", required: true }), days = num({ name: "mt_days", value: "365", min: "1" });
  const area = messageArea();
  body.replaceChildren(section(t("setup.memberships"), table([t("setup.name"), t("setup.price"), t("setup.validity")],
    items.map((m) => [m.name, f.money(m.price), t("setup.days_n", { n: m.duration_days })]))),
  section(t("setup.new_membership"), h("form", { class: "grid", onsubmit: async (e) => {
    e.preventDefault();
    const minor = f.parseMoney(price.value);
    if (!need(area, minor, t("setup.price"))) return;
    if (await attempt(area, () => api.post("/orgs/{org}/membership-types", { name: name.value.trim(), price: minor, duration_days: +days.value }))) reload();
  } }, field(t("setup.name"), name), field(t("setup.price"), price), field(t("setup.valid_days"), days),
  h("div", { class: "actions" }, h("button", { type: "submit" }, t("setup.create"))), area)));
}

async function plans(body, reload) {
  const [items, acts] = await Promise.all([api.all("/orgs/{org}/subscription-plans"), api.all("/orgs/{org}/activities")]);
  const name = input({ name: "plan_name", required: true }), price = moneyField({ name: "plan_price", required: true });
  const included = h("fieldset", {}, h("legend", {}, t("setup.included")), acts.map((a, i) => h("div", { class: "check" },
    h("input", { type: "checkbox", id: `incl-${i}`, value: a.id }), h("label", { for: `incl-${i}` }, a.name))));
  const area = messageArea();
  body.replaceChildren(section(t("setup.plans"), table([t("setup.name"), t("sub.price"), t("setup.included")],
    items.map((p) => [p.name, t("counter.per_month", { price: f.money(p.monthly_price) }), (p.activity_ids || []).map((id) => (acts.find((a) => a.id === id) || {}).name || id).join(", ")]))),
  section(t("setup.new_plan"), h("form", { class: "grid", onsubmit: async (e) => {
    e.preventDefault();
    const minor = f.parseMoney(price.value);
    if (!need(area, minor, t("sub.price"))) return;
    const ids = [...included.querySelectorAll("input:checked")].map((x) => x.value);
    if (await attempt(area, () => api.post("/orgs/{org}/subscription-plans", { name: name.value.trim(), monthly_price: minor, activity_ids: ids }))) reload();
  } }, field(t("setup.name"), name), field(t("sub.price"), price), included,
  h("div", { class: "actions" }, h("button", { type: "submit" }, t("setup.create"))), area)));
}
