// The rosters of an activity's occurrences (R3.8): session and à la carte participants
// listed and counted apart, seats left, cancel a registration (for a pass booking, the
// choice to give the use back, R3.6), convert unsold session seats to à la carte (R2.6).
import * as api from "../api.js";
import { t } from "../i18n.js";
import * as f from "../fmt.js";
import { h, field, input, select, messageArea, say, attempt, section, table, confirmDialog } from "../ui.js";
import { cancelRegistration } from "./client.js";

let chosen = { activity: "", occurrence: "" };

export async function render(main, ctx, [activityId, occurrenceId]) {
  if (activityId) chosen = { activity: activityId, occurrence: occurrenceId || "" };
  const activities = await api.all("/orgs/{org}/activities");
  const pick = select([["", t("common.choose")], ...activities.map((a) => [a.id, a.name])], { name: "roster_activity", value: chosen.activity });
  const msg = messageArea();
  const body = h("div", {});
  pick.addEventListener("change", () => { chosen = { activity: pick.value, occurrence: "" }; ctx.go(`#rosters/${pick.value}`); });
  main.replaceChildren(h("h1", {}, t("nav.rosters")), h("div", { class: "toolbar" }, field(t("counter.activity"), pick),
    h("button", { type: "button", class: "secondary", onclick: () => ctx.refresh() }, t("roster.refresh"))), msg, body);
  const activity = activities.find((a) => a.id === chosen.activity);
  if (!activity) { body.append(h("p", { class: "muted" }, activities.length ? t("roster.pick") : t("counter.nothing_to_sell"))); return; }
  await drawActivity(body, activity, ctx, msg);
}

async function drawActivity(body, activity, ctx, msg) {
  const from = activity.first_starts_at ? f.localDate(activity.first_starts_at) : f.localDate();
  const to = activity.last_ends_at ? f.addDays(f.localDate(activity.last_ends_at), 1) : f.addDays(from, 120);
  const [occ, report] = await Promise.all([
    api.all(`/orgs/{org}/activities/${activity.id}/occurrences?from=${from}&to=${to}&limit=100`),
    api.get(`/orgs/{org}/activities/${activity.id}/registrations${chosen.occurrence ? `?occurrence_id=${chosen.occurrence}` : ""}`)]);
  const counts = Object.fromEntries((report.occurrences || []).map((o) => [o.occurrence_id, o]));
  const sessionCap = activity.session && activity.session.enabled ? activity.session.capacity : null;
  const sessionLeft = sessionCap === null || sessionCap === undefined ? null : Math.max(0, sessionCap - report.session_count);
  const today = f.localDate();
  const upcoming = occ.filter((o) => f.localDate(o.starts_at) >= today);
  if (!chosen.occurrence && (upcoming[0] || occ[0])) chosen.occurrence = (upcoming[0] || occ[0]).id;

  const summary = section(t("roster.activity_summary", { name: activity.name }),
    h("div", { class: "kpis" },
      h("div", { class: "kpi" }, t("roster.session_count"), h("strong", { id: "session-count" }, String(report.session_count))),
      sessionCap !== null ? h("div", { class: "kpi" }, t("roster.session_left"), h("strong", { id: "session-left" }, String(sessionLeft))) : null,
      h("div", { class: "kpi" }, t("roster.alc_total"), h("strong", {}, String(report.a_la_carte_count)))),
    sessionCap !== null && activity.a_la_carte && activity.a_la_carte.enabled
      ? (ctx.role === "admin" ? convertForm(activity, sessionLeft, ctx) : h("p", { class: "muted" }, t("roster.convert_admin"))) : null);

  const occurrences = section(t("roster.occurrences"), table([t("reg.when"), t("pass.status"), t("roster.session"), t("roster.alc"), t("roster.alc_left"), ""],
    occ.map((o) => {
      const c = counts[o.id] || { session_count: 0, a_la_carte_count: 0 };
      const current = o.id === chosen.occurrence;
      return [f.datetime(o.starts_at), t(`occ.${o.status}`, {}, o.status), String(c.session_count), String(c.a_la_carte_count),
        o.a_la_carte && o.a_la_carte.enabled !== false ? String(o.a_la_carte.available ?? "—") : "—",
        current ? h("strong", {}, t("roster.shown")) : h("a", { href: `#rosters/${activity.id}/${o.id}` }, t("roster.open"))];
    })));

  const parts = [summary];
  const occurrence = occ.find((o) => o.id === chosen.occurrence);
  if (occurrence) {
    const list = chosen.occurrence ? report.items : [];
    const session = list.filter((r) => r.kind === "session");
    const alc = list.filter((r) => r.kind === "a_la_carte" && r.occurrence_id === occurrence.id);
    const reload = () => ctx.refresh();
    const row = (r) => [r.member_name || r.member_id, t(`paid.${r.paid_with.type}`, {}, r.paid_with.type),
      h("button", { type: "button", class: "secondary", "aria-label": t("roster.cancel_of", { name: r.member_name || "" }),
        onclick: () => cancelRegistration(r, msg, reload) }, t("reg.cancel"))];
    const alcLeft = occurrence.a_la_carte ? occurrence.a_la_carte.available : null;
    parts.push(h("div", { class: "two-col roster", id: "roster" },
      section(t("roster.session_list", { when: f.datetime(occurrence.starts_at), n: session.length }),
        sessionCap !== null ? h("p", {}, t("roster.seats_line", { taken: session.length, cap: sessionCap, left: sessionLeft })) : null,
        table([t("pass.member"), t("reg.paid_with"), ""], session.map(row))),
      section(t("roster.alc_list", { when: f.datetime(occurrence.starts_at), n: alc.length }),
        occurrence.a_la_carte && occurrence.a_la_carte.capacity !== undefined
          ? h("p", {}, t("roster.seats_line", { taken: alc.length, cap: occurrence.a_la_carte.capacity, left: alcLeft ?? "—" })) : null,
        table([t("pass.member"), t("reg.paid_with"), ""], alc.map(row)))));
  }
  parts.push(occurrences);
  body.replaceChildren(...parts);
}

function convertForm(activity, unsold, ctx) {
  const seats = input({ type: "number", min: "1", max: String(Math.max(1, unsold)), step: "1", name: "convert_seats", value: "1" });
  const area = messageArea();
  return h("form", { class: "inline", onsubmit: async (e) => {
    e.preventDefault();
    const n = +seats.value;
    if (!await confirmDialog(t("roster.convert_title"), [t("roster.convert_effect", { n })], t("roster.convert"))) return;
    const done = await attempt(area, () => api.post(`/orgs/{org}/activities/${activity.id}/seat-conversions`, { seats: n }));
    if (done) { ctx.flash(t("roster.converted", { session: done.session_capacity, alc: done.a_la_carte_capacity })); ctx.refresh(); }
  } }, field(t("roster.convert_seats"), seats, t("roster.convert_hint", { n: unsold })),
  h("button", { type: "submit", class: "secondary" }, t("roster.convert")), area);
}
