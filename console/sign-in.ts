import { mintDevToken } from "./api";
import { h } from "./dom";
import type { Session } from "./session";

/**
 * The dev sign-in: any name, as agent, administrator or both. The local server mints the token
 * with its own key pair (what `npm run dev-token` prints); nothing here is a password.
 */
const roles = [
  { value: "agents", label: "Agent", hint: "the desk: conversations and Compose SMS" },
  { value: "admins", label: "Administrator", hint: "providers, customers, the outbox" },
  { value: "agents,admins", label: "Both", hint: "one person, both views" },
] as const;

const suggestions = [
  { sub: "ann", role: "agents" },
  { sub: "bob", role: "agents" },
  { sub: "ada", role: "admins" },
] as const;

export function signInView(onSignedIn: (session: Session) => void, notice?: string): HTMLElement {
  const name = h("input", {
    id: "sign-in-name",
    name: "sub",
    required: true,
    maxlength: 64,
    autocomplete: "username",
    spellcheck: "false",
    pattern: "[!-~]+",
    "aria-describedby": "sign-in-name-hint",
  });
  const error = h("p", { class: "error", role: "alert" });
  const button = h("button", { type: "submit", class: "primary" }, "Sign in");

  const submit = async (sub: string, groups: string[]) => {
    error.textContent = "";
    button.disabled = true;
    try {
      onSignedIn(await mintDevToken(sub, groups));
    } catch (failure) {
      error.textContent = failure instanceof Error ? failure.message : String(failure);
      button.disabled = false;
    }
  };

  const form = h(
    "form",
    {
      class: "sign-in",
      "aria-labelledby": "sign-in-heading",
      onsubmit: (event) => {
        event.preventDefault();
        const role = new FormData(form).get("role");
        void submit(name.value.trim(), String(role ?? "agents").split(","));
      },
    },
    h("h2", { id: "sign-in-heading" }, "Sign in (local)"),
    h(
      "p",
      { class: "hint" },
      "Pick a name and a role. The local server signs a token for it with the key ",
      h("code", {}, "npm run dev-token"),
      " uses; there is no password.",
    ),
    h("label", { for: "sign-in-name" }, "Name"),
    name,
    h("p", { id: "sign-in-name-hint", class: "hint" }, "The agent id the API records, such as ann (letters, digits, no spaces)."),
    h(
      "fieldset",
      {},
      h("legend", {}, "Role"),
      ...roles.map((role, index) =>
        h(
          "label",
          { class: "choice" },
          h("input", { type: "radio", name: "role", value: role.value, checked: index === 0 }),
          ` ${role.label} `,
          h("span", { class: "hint" }, `(${role.hint})`),
        ),
      ),
    ),
    button,
    error,
    h(
      "div",
      { class: "quick" },
      h("p", { class: "hint" }, "Or in one click:"),
      ...suggestions.map((suggestion) =>
        h(
          "button",
          { type: "button", onclick: () => void submit(suggestion.sub, [suggestion.role]) },
          `${suggestion.sub} (${suggestion.role === "admins" ? "administrator" : "agent"})`,
        ),
      ),
    ),
  );
  const view = h("main", { id: "main", class: "sign-in-page" }, notice ? h("p", { class: "notice", role: "status" }, notice) : null, form);
  queueMicrotask(() => name.focus());
  return view;
}
