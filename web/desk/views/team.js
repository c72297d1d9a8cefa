// Staff members (the people in the agenda) and API keys (admins create, list, revoke).
import * as api from "../api.js";
import { t, words } from "../i18n.js";
import * as f from "../fmt.js";
import { h, field, input, select, messageArea, say, attempt, section, table, confirmDialog } from "../ui.js";

export async function render(main, ctx) {
  const staff = await api.all("/orgs/{org}/staff");
  const reload = (text) => { if (text) ctx.flash(text); ctx.refresh(); };
  const name = input({ name: "staff_name", required: true });
  const area = messageArea();
  main.replaceChildren(h("h1", {}, t("nav.team")),
    section(t("team.staff"), h("ul", { class: "plain" }, staff.length ? staff.map((s) => h("li", {}, s.name)) : h("li", { class: "muted" }, t("common.none"))),
      h("form", { class: "inline", onsubmit: async (e) => {
        e.preventDefault();
        const made = await attempt(area, () => api.post("/orgs/{org}/staff", { name: name.value.trim() }));
        if (made) reload(t("team.staff_added", { name: made.name }));
      } }, field(t("team.staff_name"), name), h("button", { type: "submit" }, t("team.add_staff")), area)),
    ctx.role === "admin" ? await keys(reload) : section(t("team.keys"), h("p", {}, t("team.keys_admin"))));
}

async function keys(reload) {
  const area = messageArea();
  const shown = h("div", { "aria-live": "polite" });
  let list = null;
  try { list = await api.all("/orgs/{org}/api-keys"); } catch (err) { say(area, t("team.list_unavailable", { why: words(err) }), "error"); }
  const name = input({ name: "key_name", required: true });
  const role = select([["staff", t("role.staff")], ["admin", t("role.admin")]], { name: "key_role" });
  const revoke = async (k) => {
    // Its tokens are refused within seconds (the gateway's credential cache), not at once.
    if (!await confirmDialog(t("team.revoke_title", { name: k.name }), [t("team.revoke_effect")], t("team.revoke"))) return;
    // DELETE answers 204 (null): success is "no error", not a truthy result.
    const done = await attempt(area, async () => { await api.del(`/orgs/{org}/api-keys/${encodeURIComponent(k.id)}`); return true; });
    if (done) reload(t("team.revoked", { name: k.name }));
  };
  const row = (k) => [k.name, h("code", {}, `${k.prefix}…`), t(`role.${k.role}`, {}, k.role), f.datetime(k.created_at),
    k.revoked_at ? `${t("status.revoked")} (${f.datetime(k.revoked_at)})` : t("status.active"),
    k.revoked_at ? "" : h("button", { type: "button", class: "danger", "aria-label": t("team.revoke_named", { name: k.name }),
      onclick: () => revoke(k) }, t("team.revoke"))];
  return section(t("team.keys"), area,
    list ? table([t("setup.name"), t("team.prefix"), t("team.role"), t("team.created"), t("pass.status"), ""], list.map(row)) : null,
    h("h3", {}, t("team.new_key")),
    h("form", { class: "inline", onsubmit: async (e) => {
      e.preventDefault();
      const made = await attempt(area, () => api.post("/orgs/{org}/api-keys", { role: role.value, name: name.value.trim() }));
      if (!made) return;
      shown.replaceChildren(h("p", {}, t("team.key_once", { name: made.name })), h("p", { class: "secret", id: "new-key" }, made.api_key),
        h("button", { type: "button", class: "secondary", onclick: () => navigator.clipboard && navigator.clipboard.writeText(made.api_key) }, t("team.copy")));
      name.value = "";
    } }, field(t("setup.name"), name), field(t("team.role"), role), h("button", { type: "submit" }, t("team.create_key"))), shown);
}
