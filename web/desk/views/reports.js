// Reports over a date range (R6.6, R4.2, R3.8), on screen and as CSV files, with two
// charts drawn here in SVG: sales per day and bookings per activity.
import * as api from "../api.js";
import { t } from "../i18n.js";
import * as f from "../fmt.js";
import { h, field, input, messageArea, attempt, section, table } from "../ui.js";

const SVG = "http://www.w3.org/2000/svg";
const s = (tag, attrs = {}, text) => {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
};
let range = null;

export async function render(main) {
  if (!range) { const today = f.localDate(); range = { from: `${today.slice(0, 8)}01`, to: f.addDays(today, 1) }; }
  const from = input({ type: "date", name: "from", value: range.from, required: true });
  const to = input({ type: "date", name: "to", value: range.to, required: true });
  const msg = messageArea();
  const body = h("div", {});
  const run = async () => {
    range = { from: from.value, to: to.value };
    const q = `from=${range.from}&to=${range.to}`;
    const data = await attempt(msg, () => Promise.all([
      api.get(`/orgs/{org}/reports/sales-summary?${q}`), api.get(`/orgs/{org}/reports/sales-detail?${q}`),
      api.get(`/orgs/{org}/reports/payments-by-accounting-code?${q}`), api.get("/orgs/{org}/reports/passes?limit=200"),
      api.all("/orgs/{org}/activities")]));
    if (!data) return;
    const [summary, detail, payments, passes, activities] = data;
    const regs = await Promise.all(activities.map((a) => api.get(`/orgs/{org}/reports/registrations?activity_id=${a.id}`).catch(() => null)));
    const csv = (path, name) => h("button", { type: "button", class: "secondary", onclick: () =>
      attempt(msg, () => api.download(`${path}${path.includes("?") ? "&" : "?"}format=csv`, `${name}-${range.from}-${range.to}.csv`)) }, t("report.csv"));
    body.replaceChildren(
      h("div", { class: "two-col" },
        section(t("report.sales_per_day"), salesChart(detail.items, range)),
        section(t("report.bookings_per_activity"), bookingsChart(activities, regs))),
      section(t("report.summary"), csv(`/orgs/{org}/reports/sales-summary?${q}`, "sales-summary"),
        table([t("report.type"), t("report.description"), t("report.quantity"), t("report.amount")],
          summary.items.map((r) => [t(`item.${r.type}`, {}, r.type), r.description, String(r.quantity), f.money(r.amount)])),
        h("p", { class: "total" }, t("counter.total"), " ", h("strong", { id: "sales-total" }, f.money(summary.total)))),
      section(t("report.payments"), csv(`/orgs/{org}/reports/payments-by-accounting-code?${q}`, "payments-by-accounting-code"),
        table([t("setup.code"), t("report.payments_col"), t("report.refunds"), t("report.net")],
          payments.items.map((r) => [r.accounting_code || t("report.no_code"), f.money(r.payments), f.money(r.refunds), f.money(r.net)])),
        h("p", { class: "total" }, t("report.net_received"), " ", h("strong", { id: "net-total" }, f.money(payments.total.net)))),
      section(t("report.detail"), csv(`/orgs/{org}/reports/sales-detail?${q}`, "sales-detail"),
        table([t("invoice.date"), t("invoice.number"), t("report.description"), t("report.type"), t("reg.paid_with"), t("setup.code"), t("report.amount")],
          detail.items.map((r) => [f.plainDate(String(r.date).slice(0, 10)), String(r.invoice_number), r.description, t(`item.${r.type}`, {}, r.type),
            t(`paid.${r.paid_with}`, {}, r.paid_with || ""), r.accounting_code || "—", f.money(r.amount)]))),
      section(t("report.passes"), csv("/orgs/{org}/reports/passes", "passes"),
        table([t("pass.name"), t("report.purchased"), t("pass.expires"), t("pass.uses_left")],
          passes.items.map((p) => [p.name, f.date(p.purchased_at), f.date(p.expires_at), p.uses_total === null ? t("pass.unlimited") : `${p.uses_left} / ${p.uses_total}`]))),
      section(t("report.registrations"), activities.length ? activities.map((a, i) => h("div", {},
        h("h3", {}, a.name), csv(`/orgs/{org}/reports/registrations?activity_id=${a.id}`, `registrations-${a.name}`),
        regs[i] ? table([t("reg.when"), t("roster.session"), t("roster.alc")], regs[i].items.map((o) =>
          [f.datetime(o.starts_at), String(o.session_count), String(o.a_la_carte_count)])) : null)) : h("p", { class: "muted" }, t("common.none"))));
  };
  main.replaceChildren(h("h1", {}, t("nav.reports")),
    h("form", { class: "toolbar", onsubmit: (e) => { e.preventDefault(); run(); } },
      field(t("report.from"), from), field(t("report.to"), to, t("report.to_hint")),
      h("button", { type: "submit" }, t("report.show"))), msg, body);
  await run();
}

// Bars of money sold per local day of the range (voids are negative lines, so net).
function salesChart(lines, r) {
  const days = [];
  for (let d = r.from; d < r.to && days.length < 62; d = f.addDays(d, 1)) days.push(d);
  const byDay = Object.fromEntries(days.map((d) => [d, 0]));
  for (const l of lines) { const d = String(l.date).slice(0, 10); if (d in byDay) byDay[d] += l.amount; }
  const values = days.map((d) => byDay[d]);
  const max = Math.max(1, ...values);
  const W = 600, H = 220, left = 10, bottom = 30, bw = (W - left * 2) / Math.max(1, days.length);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-labelledby": "sales-chart-title" });
  svg.append(s("title", { id: "sales-chart-title" }, t("report.sales_chart_alt", { total: f.money(values.reduce((a, b) => a + b, 0)), days: days.length })));
  days.forEach((d, i) => {
    const v = Math.max(0, values[i]);
    const bh = ((H - bottom - 20) * v) / max;
    const rect = s("rect", { x: left + i * bw + 1, y: H - bottom - bh, width: Math.max(1, bw - 2), height: bh, fill: "#0b5cad" });
    rect.append(s("title", {}, `${f.plainDate(d)} : ${f.money(values[i])}`));
    svg.append(rect);
    if (days.length <= 16 || i % Math.ceil(days.length / 10) === 0) svg.append(s("text", { x: left + i * bw + bw / 2, y: H - bottom + 14, "text-anchor": "middle" }, d.slice(8)));
  });
  svg.append(s("line", { x1: left, x2: W - left, y1: H - bottom, y2: H - bottom, stroke: "#5a6472" }));
  svg.append(s("text", { x: left, y: 12 }, f.money(max)));
  return svg;
}

// Horizontal bars: session and à la carte registrations per activity.
function bookingsChart(activities, regs) {
  const rows = activities.map((a, i) => ({ name: a.name, session: regs[i] ? regs[i].session_count : 0, alc: regs[i] ? regs[i].a_la_carte_count : 0 }));
  if (!rows.length) return h("p", { class: "muted" }, t("common.none"));
  const max = Math.max(1, ...rows.map((r) => r.session + r.alc));
  const W = 420, rowH = 30, H = rows.length * rowH + 30, labelW = 150;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-labelledby": "bookings-chart-title" });
  svg.append(s("title", { id: "bookings-chart-title" }, rows.map((r) => t("report.bookings_alt", r)).join("; ")));
  rows.forEach((r, i) => {
    const y = i * rowH + 4, scale = (W - labelW - 40) / max;
    svg.append(s("text", { x: 0, y: y + 16 }, r.name.length > 20 ? `${r.name.slice(0, 19)}…` : r.name));
    svg.append(s("rect", { x: labelW, y, width: r.session * scale, height: rowH - 8, fill: "#0b5cad" }));
    svg.append(s("rect", { x: labelW + r.session * scale, y, width: r.alc * scale, height: rowH - 8, fill: "#17a05d" }));
    svg.append(s("text", { x: labelW + (r.session + r.alc) * scale + 4, y: y + 16 }, String(r.session + r.alc)));
  });
  const ly = rows.length * rowH + 14;
  svg.append(s("rect", { x: labelW, y: ly, width: 12, height: 12, fill: "#0b5cad" }), s("text", { x: labelW + 16, y: ly + 11 }, t("roster.session")),
    s("rect", { x: labelW + 90, y: ly, width: 12, height: 12, fill: "#17a05d" }), s("text", { x: labelW + 106, y: ly + 11 }, t("roster.alc")));
  return svg;
}
