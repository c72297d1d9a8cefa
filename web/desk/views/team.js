import { t } from "../i18n.js";
import { h } from "../ui.js";

export async function render(main) {
  main.replaceChildren(h("h1", {}, t("nav.team")));
}
