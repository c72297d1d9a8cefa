/** Log in, and sign up: a household (account) with one or more members (R1.2). */
import { h, mount } from "/web/common/dom.js";

function field(id, label, attrs = {}) {
  return h("div", {}, h("label", { for: id }, label), h("input", { id, name: id, ...attrs }));
}

export async function loginView(app, main) {
  const error = h("div");
  const form = h("form", { class: "card", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      await app.login(data.get("email").trim(), data.get("password"));
      app.flash = { kind: "ok", text: app.t("auth.welcome", { name: app.account.name }) };
      app.go(app.afterLogin || "#/");
      app.afterLogin = null;
    } catch (err) {
      mount(error, app.notice("error", err.code === "unauthenticated"
        ? app.t("auth.wrong_password") : app.errorText(err)));
      submit.disabled = false;
    }
  } },
  error,
  field("email", app.t("auth.email"), { type: "email", autocomplete: "email", required: true }),
  field("password", app.t("auth.password"), { type: "password", autocomplete: "current-password", required: true }),
  h("div", { class: "row", style: "margin-top:1rem" },
    h("button", { type: "submit", class: "primary" }, app.t("auth.login"))));
  mount(main, h("h1", {}, app.t("auth.login_title")), form,
    h("p", {}, app.t("auth.no_account"), " ", h("a", { href: "#/signup" }, app.t("auth.signup_title"))));
}

function memberFieldset(app, index) {
  const id = (name) => `m${index}-${name}`;
  const genders = ["unspecified", "female", "male", "other"];
  return h("fieldset", { class: "member" },
    h("legend", {}, app.t("auth.member_n", { n: index + 1 })),
    h("div", { class: "fields" },
      field(id("first_name"), app.t("auth.first_name"), { required: true, autocomplete: "off" }),
      field(id("last_name"), app.t("auth.last_name"), { required: true, autocomplete: "off" }),
      field(id("birth_date"), app.t("auth.birth_date"), { type: "date", required: true }),
      h("div", {}, h("label", { for: id("gender") }, app.t("auth.gender")),
        h("select", { id: id("gender"), name: id("gender") },
          genders.map((g) => h("option", { value: g }, app.t(`auth.genders.${g}`)))))));
}

export async function signupView(app, main) {
  const error = h("div");
  const members = h("div", {}, memberFieldset(app, 0));
  const form = h("form", { class: "card", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const list = [...members.querySelectorAll("fieldset.member")].map((_, i) => ({
      first_name: data.get(`m${i}-first_name`).trim(), last_name: data.get(`m${i}-last_name`).trim(),
      birth_date: data.get(`m${i}-birth_date`), gender: data.get(`m${i}-gender`) }));
    const body = { name: data.get("name").trim(), email: data.get("email").trim(),
                   password: data.get("password"), members: list };
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      await app.api.post(app.path("/accounts"), body, { token: null });
      await app.login(body.email, body.password);
      app.flash = { kind: "ok", text: app.t("auth.welcome", { name: app.account.name }) };
      app.go("#/");
    } catch (err) {
      mount(error, app.notice("error", app.errorText(err)));
      submit.disabled = false;
      error.querySelector(".notice")?.scrollIntoView();
    }
  } },
  error,
  h("div", { class: "fields" },
    field("name", app.t("auth.household"), { required: true, autocomplete: "family-name" }),
    field("email", app.t("auth.email"), { type: "email", required: true, autocomplete: "email" }),
    field("password", app.t("auth.password_new"), { type: "password", required: true, minlength: 8,
                                                     autocomplete: "new-password" })),
  h("h2", {}, app.t("auth.members")),
  h("p", { class: "small muted" }, app.t("auth.members_help")),
  members,
  h("div", { class: "row" },
    h("button", { type: "button", onclick: () => {
      const count = members.querySelectorAll("fieldset.member").length;
      const added = memberFieldset(app, count);
      members.append(added);
      added.querySelector("input").focus();
    } }, app.t("auth.add_member")),
    h("button", { type: "submit", class: "primary" }, app.t("auth.signup"))));
  mount(main, h("h1", {}, app.t("auth.signup_title")), form,
    h("p", {}, app.t("auth.have_account"), " ", h("a", { href: "#/login" }, app.t("auth.login"))));
}
