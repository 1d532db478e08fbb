import { Admin } from "./admin";
import { Api } from "./api";
import { Desk } from "./desk";
import { fill, h } from "./dom";
import { EventFeed, type FeedStatus } from "./event-feed";
import { clearSession, isAdmin, isAgent, loadSession, saveSession, type Session } from "./session";
import { signInView } from "./sign-in";
import type { ServiceEvent } from "./wire";

/**
 * The desk console (local only, served by `npm start` at `/`): the sign-in, then the desk for an
 * agent and the administration for an administrator (tabs for someone who is both), all kept
 * current by one follower of the events feed.
 */

interface View {
  name: string;
  label: string;
  element: HTMLElement;
  load(): Promise<void>;
  onEvents(events: ServiceEvent[]): void;
}

const root = document.getElementById("app")!;
let stopCurrent: (() => void) | undefined;

function signOut(notice?: string): void {
  stopCurrent?.();
  stopCurrent = undefined;
  clearSession();
  showSignIn(notice);
}

function showSignIn(notice?: string): void {
  fill(
    root,
    h("header", { class: "top" }, h("h1", {}, "Desk console ", h("span", { class: "local" }, "local"))),
    signInView((session) => {
      saveSession(session);
      void showWorkspace(session);
    }, notice),
  );
}

const feedSaid: Record<FeedStatus, string> = { live: "Live", reconnecting: "Reconnecting…", stopped: "Stopped" };

async function showWorkspace(session: Session): Promise<void> {
  const api = new Api(session.token, () => signOut("Your sign-in expired or the server's key changed: sign in again."));
  const feedStatus = h("p", { class: "feed-status", role: "status", "data-feed": "connecting" }, "Connecting…");
  const announcer = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  const announce = (text: string) => (announcer.textContent = text);

  const views: View[] = [];
  if (isAgent(session)) {
    const desk = new Desk(api, session.sub, announce);
    views.push({
      name: "desk",
      label: "Desk",
      element: desk.element,
      onEvents: (events) => desk.onEvents(events),
      load: () => desk.load(),
    });
  }
  if (isAdmin(session)) {
    const admin = new Admin(api);
    views.push({
      name: "admin",
      label: "Administration",
      element: admin.element,
      onEvents: (events) => admin.onEvents(events),
      load: () => admin.load(),
    });
  }

  const main = h("main", { id: "main", tabindex: -1 });
  const tabs = views.map((view) =>
    h("button", { type: "button", "data-view": view.name, onclick: () => select(view.name, true) }, view.label),
  );
  const select = (name: string, focus = false) => {
    for (const view of views) view.element.hidden = view.name !== name;
    for (const tab of tabs) {
      if (tab.dataset.view === name) tab.setAttribute("aria-current", "page");
      else tab.removeAttribute("aria-current");
    }
    if (focus) main.focus();
  };
  main.append(...views.map((view) => view.element));
  const role = [isAgent(session) ? "agent" : "", isAdmin(session) ? "administrator" : ""].filter(Boolean).join(" and ") || "no group";

  fill(
    root,
    h(
      "header",
      { class: "top" },
      h("h1", {}, "Desk console ", h("span", { class: "local" }, "local")),
      views.length > 1 ? h("nav", { "aria-label": "Views" }, ...tabs) : null,
      feedStatus,
      h("p", { class: "who" }, "Signed in as ", h("strong", {}, session.sub), ` (${role})`),
      h("button", { type: "button", onclick: () => signOut() }, "Sign out"),
    ),
    main,
    announcer,
  );
  if (views.length === 0) {
    main.append(h("p", { class: "error", role: "alert" }, "This name has no group: sign out and pick a role."));
    return;
  }
  select(views[0]!.name);

  try {
    // The cursor first, then the lists: whatever happens in between arrives through the feed.
    const feed = await EventFeed.start(api);
    stopCurrent = () => feed.stop();
    await Promise.all(views.map((view) => view.load()));
    void feed.run(
      (events) => views.forEach((view) => view.onEvents(events)),
      (status, detail) => {
        feedStatus.dataset.feed = status;
        feedStatus.textContent = feedSaid[status];
        feedStatus.title = detail ?? "";
      },
    );
  } catch (failure) {
    main.prepend(h("p", { class: "error", role: "alert" }, `Could not load the desk: ${(failure as Error).message}`));
  }
}

const session = loadSession();
if (session) void showWorkspace(session);
else showSignIn();
