/** The shop's home: programs and their activities, then passes, memberships, subscriptions. */
import { h, mount } from "/web/common/dom.js";
import { buyControl, facts } from "./describe.js";

export async function catalogView(app, main) {
  const catalog = await app.loadCatalog(true);
  const sections = [h("h1", {}, app.t("catalog.title", { org: app.org.name }))];
  if (!app.loggedIn()) {
    sections.push(h("p", { class: "muted" }, app.t("catalog.intro"), " ",
      h("a", { href: "#/login" }, app.t("nav.login")), " · ",
      h("a", { href: "#/signup" }, app.t("auth.signup_title"))));
  }
  if (!catalog.activities.length) sections.push(h("p", {}, app.t("catalog.empty")));
  const programs = [...catalog.programs, { id: null, name: app.t("catalog.other") }];
  for (const program of programs) {
    const activities = catalog.activities.filter((a) => (a.program_id || null) === program.id
      || (program.id === null && !catalog.programs.some((p) => p.id === a.program_id)));
    if (!activities.length) continue;
    sections.push(h("section", { "aria-labelledby": `p-${program.id}` },
      h("h2", { id: `p-${program.id}` }, program.name),
      h("div", { class: "grid" }, activities.map((activity) => activityCard(app, activity)))));
  }
  sections.push(productsSection(app, catalog));
  mount(main, sections);
}

function activityCard(app, activity) {
  return h("article", { class: "card activity" },
    h("h3", {}, h("a", { href: `#/activity/${encodeURIComponent(activity.id)}` }, activity.name)),
    facts(app, activity),
    h("a", { class: "button primary", href: `#/activity/${encodeURIComponent(activity.id)}`,
             "aria-label": app.t("catalog.choose_named", { name: activity.name }) },
      app.t("catalog.choose")));
}

export function passFacts(app, passType) {
  const uses = passType.uses == null ? app.t("pass.unlimited")
    : app.t("pass.uses", { count: passType.uses });
  const validity = passType.expires_on ? app.t("pass.until", { date: app.fmt.day(passType.expires_on) })
    : passType.valid_days ? app.t("pass.valid_days", { count: passType.valid_days }) : "";
  const names = passType.eligible_activity_ids.map((id) => app.activity(id)?.name)
    .filter(Boolean).join(", ");
  return [
    h("p", {}, h("span", { class: "price" }, app.fmt.money(passType.price)), " · ", uses,
      validity ? ` · ${validity}` : "", " · ",
      passType.family ? app.t("pass.family") : app.t("pass.individual")),
    names ? h("p", { class: "small muted" }, app.t("pass.for", { names })) : null,
  ];
}

function productsSection(app, catalog) {
  const cards = [];
  for (const passType of catalog.passTypes) {
    cards.push(h("article", { class: "card" },
      h("h3", {}, passType.name), passFacts(app, passType),
      buyControl(app, { type: "pass", field: "pass_type_id", id: passType.id,
                        needsMember: !passType.family })));
  }
  for (const membership of catalog.memberships) {
    cards.push(h("article", { class: "card" },
      h("h3", {}, membership.name),
      h("p", {}, h("span", { class: "price" }, app.fmt.money(membership.price)), " · ",
        app.t("membership.duration", { count: membership.duration_days })),
      buyControl(app, { type: "membership", field: "membership_type_id", id: membership.id,
                        needsMember: true })));
  }
  for (const plan of catalog.plans) {
    const names = plan.activity_ids.map((id) => app.activity(id)?.name).filter(Boolean).join(", ");
    cards.push(h("article", { class: "card" },
      h("h3", {}, plan.name),
      h("p", {}, h("span", { class: "price" }, app.t("plan.monthly", { price: app.fmt.money(plan.monthly_price) }))),
      names ? h("p", { class: "small muted" }, app.t("plan.includes", { names })) : null,
      h("p", { class: "small muted" }, app.t("plan.withdraw_any_time")),
      buyControl(app, { type: "subscription", field: "plan_id", id: plan.id, needsMember: true })));
  }
  if (!cards.length) return null;
  return h("section", { "aria-labelledby": "products" },
    h("h2", { id: "products" }, app.t("catalog.products")),
    h("div", { class: "grid" }, cards));
}
