// The match page: the search lives in the URL (?roles=…&skills=…&platform=…)
// so that a search can be bookmarked or shared, and opening such a link runs it.
"use strict";

// The JSON headers of an API call, with the service's public key when it has
// one (the server writes it into the page; it only allows what this page does).
function jsonHeaders() {
  const key = document.querySelector('meta[name="copmatch-key"]')?.content;
  const h = { "content-type": "application/json" };
  if (key) h.authorization = `Bearer ${key}`;
  return h;
}

const form = document.getElementById("search");
const statusBox = document.getElementById("status");
const errorBox = document.getElementById("error");
const closeResults = document.getElementById("close-results");
const lessClose = document.getElementById("less-close");
const lessCloseTitle = document.getElementById("less-close-title");
const nearbyFields = document.getElementById("nearby-fields");
const fieldView = document.getElementById("field-view");
const fieldTitle = document.getElementById("field-title");
const fieldResults = document.getElementById("field-results");
const fieldMore = document.getElementById("field-more");
const fieldList = document.getElementById("field-list");
// Every field with its count (GET /v1/fields), by lower-case name.
let fieldsByName = new Map();
let browsing = null;
const FIELDS = ["roles", "skills", "interests", "platform", "cost", "language"];
const STATUS_LABEL = { active: "Active", inactive: "Inactive", dead_link: "Dead link reported", unknown: "Not verified" };
let notForMe = [];

// An anonymous id per browser, so that "Join" and "Not for me" become feedback
// (POST /v1/feedback) that later ranking and retraining learn from.
function visitorId() {
  let id = localStorage.getItem("copmatch-visitor");
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(8));
    id = "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    localStorage.setItem("copmatch-visitor", id);
  }
  return id;
}

// Stores the typed profile as the visitor's, then the event with where the
// community was in the list (retraining weighs clicks by it). Never blocks the
// page: a failure is shown, the click still works.
async function sendFeedback(communityId, type, position) {
  const id = visitorId();
  try {
    const profile = request().profile;
    const put = await fetch(`/v1/users/${id}`, {
      method: "PUT",
      headers: jsonHeaders(),
      body: JSON.stringify({ profile }),
    });
    if (!put.ok) throw new Error(`the server answered ${put.status}`);
    const sent = await fetch("/v1/feedback", {
      method: "POST",
      headers: jsonHeaders(),
      body: JSON.stringify({ user_id: id, community_id: communityId, type, position }),
    });
    if (!sent.ok) throw new Error(`the server answered ${sent.status}`);
  } catch (e) {
    showError(`Your choice could not be recorded: ${e.message}`);
  }
}

const list = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);

function readUrl() {
  const params = new URLSearchParams(location.search);
  for (const name of FIELDS) form.elements[name].value = params.get(name) || "";
  form.elements.inactive.checked = params.get("inactive") === "1";
  notForMe = list(params.get("not") || "");
  if (params.get("inactive") === "1" || params.get("platform") || params.get("cost") || params.get("language")) {
    form.querySelector("details").open = true;
  }
  return FIELDS.slice(0, 3).some((f) => params.get(f));
}

function writeUrl() {
  const params = new URLSearchParams();
  for (const name of FIELDS) if (form.elements[name].value.trim()) params.set(name, form.elements[name].value.trim());
  if (form.elements.inactive.checked) params.set("inactive", "1");
  if (notForMe.length) params.set("not", notForMe.join(","));
  const url = params.toString() ? `?${params}` : location.pathname;
  history.replaceState(null, "", url);
}

function request() {
  const v = (name) => form.elements[name].value;
  const filters = { include_inactive: form.elements.inactive.checked };
  if (v("platform")) filters.platforms = [v("platform")];
  if (v("cost")) filters.cost = v("cost");
  if (v("language").trim()) filters.languages = [v("language").trim()];
  return {
    profile: { roles: list(v("roles")), skills: list(v("skills")), interests: list(v("interests")) },
    filters,
    negative_ids: notForMe,
    limit: 10,
  };
}

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function statusLabel(c) {
  const last = c.liveness && c.liveness.last_outcome;
  if (c.status === "unknown" && last === "dead") return "Link failing";
  if (c.status === "unknown" && last === "transient") return "Unreachable, retrying";
  if (c.status === "unknown" && last === "unverifiable") return "Cannot be checked";
  return STATUS_LABEL[c.status] || c.status;
}

// What the last automatic check saw: activity, members, and when it checked.
function activityBadges(c) {
  const s = (c.liveness && c.liveness.signals) || {};
  const out = [];
  if (s.posts_7d !== undefined) out.push(`${s.posts_7d.toLocaleString()} posts this week`);
  else if (s.online !== undefined) out.push(`${s.online.toLocaleString()} online`);
  if (s.next_event_at) out.push(`next event ${s.next_event_at.slice(0, 10)}`);
  if (c.member_count) out.push(`${c.member_count.toLocaleString()} members`);
  if (c.last_verified_at) out.push(`checked ${daysAgo(c.last_verified_at)}`);
  return out;
}

function daysAgo(time) {
  const days = Math.floor((Date.now() - Date.parse(time)) / 86400000);
  if (!(days >= 0)) return time.slice(0, 10);
  return days === 0 ? "today" : days === 1 ? "yesterday" : days <= 30 ? `${days} days ago` : time.slice(0, 10);
}

// Only close matches are listed. Weak ones (`match: "weak"`) are never shown
// as results: the page offers their fields to browse instead, so a search
// that nothing fits says so rather than padding the list.
function render(recommendations) {
  closeResults.replaceChildren();
  nearbyFields.replaceChildren();
  const nearby = new Map();
  let shown = 0;
  for (const { community: c, reasons, match } of recommendations) {
    if (match === "weak") {
      for (const name of c.categories) {
        const field = fieldsByName.get(name.toLowerCase());
        if (field && field.communities > 0) nearby.set(field.id, field);
      }
      continue;
    }
    const position = ++shown;
    const item = el("li", { class: `result ${match}`, "data-id": c.id, "data-match": match });
    const title = el("h2");
    title.append(el("a", { href: c.url, target: "_blank", rel: "noopener" }, c.name));
    const meta = el("div", { class: "meta" });
    meta.append(el("span", { class: `badge ${c.status}` }, statusLabel(c)));
    for (const text of activityBadges(c)) meta.append(el("span", { class: "badge activity" }, text));
    meta.append(el("span", {}, [c.platform.replace("_", " "), c.cost !== "unknown" ? c.cost : null, c.languages.join(", ")].filter(Boolean).join(" · ")));
    item.append(title, meta);
    if (c.description) item.append(el("p", { class: "desc" }, c.description));
    const why = el("ul", { class: "reasons", "aria-label": `Why ${c.name} matches` });
    for (const r of reasons) why.append(el("li", {}, r));
    item.append(why);
    const buttons = el("div", { class: "buttons" });
    const join = el("a", { href: c.url, target: "_blank", rel: "noopener", class: "button-link" }, "Join ↗");
    join.addEventListener("click", () => sendFeedback(c.id, "join", position));
    const notMine = el("button", { type: "button", "data-action": "not-for-me" }, "Not for me");
    notMine.addEventListener("click", () => {
      sendFeedback(c.id, "dismiss", position);
      notForMe.push(c.id);
      search(`${c.name} is hidden; results like it move down.`);
    });
    const report = el("button", { type: "button", "data-action": "report-dead-link" }, "Report dead link");
    report.addEventListener("click", () => reportDeadLink(c, report));
    buttons.append(join, notMine, report);
    item.append(buttons);
    closeResults.append(item);
  }
  for (const field of nearby.values()) nearbyFields.append(listItem(fieldButton(field)));
  lessCloseTitle.textContent = closeResults.children.length ? "Nearby fields" : "Nothing fits closely: browse nearby fields";
  lessClose.hidden = nearby.size === 0;
}

function listItem(child) {
  const item = el("li");
  item.append(child);
  return item;
}

function fieldButton(field) {
  const button = el("button", { type: "button", "data-field": field.id }, `${field.name} (${field.communities})`);
  button.addEventListener("click", () => browseField(field, 0));
  return button;
}

// The fields, for browsing and for naming nearby fields.
async function loadFields() {
  try {
    const response = await fetch("/v1/fields", { headers: jsonHeaders() });
    if (!response.ok) return;
    const { fields } = await response.json();
    fieldsByName = new Map(fields.map((f) => [f.name.toLowerCase(), f]));
    fieldList.replaceChildren(...fields.filter((f) => f.communities > 0).map((f) => listItem(fieldButton(f))));
  } catch (e) {
    // Browsing is an extra: the search works without it.
  }
}

async function browseField(field, offset) {
  errorBox.hidden = true;
  try {
    const response = await fetch(`/v1/communities?field=${encodeURIComponent(field.id)}&limit=20&offset=${offset}`, { headers: jsonHeaders() });
    const page = await response.json();
    if (!response.ok) throw new Error(page.error ? page.error.message : `the server answered ${response.status}`);
    if (offset === 0) fieldResults.replaceChildren();
    for (const c of page.communities) {
      const item = el("li", { class: "result", "data-id": c.id });
      const title = el("h2");
      title.append(el("a", { href: c.url, target: "_blank", rel: "noopener" }, c.name));
      const meta = el("div", { class: "meta" });
      meta.append(el("span", { class: `badge ${c.status}` }, statusLabel(c)));
      meta.append(el("span", {}, [c.platform.replace("_", " "), c.cost !== "unknown" ? c.cost : null, c.languages.join(", ")].filter(Boolean).join(" · ")));
      item.append(title, meta);
      if (c.description) item.append(el("p", { class: "desc" }, c.description));
      fieldResults.append(item);
    }
    browsing = { field, next: page.offset + page.communities.length, total: page.total };
    fieldTitle.textContent = `${field.name}: ${page.total} communities`;
    fieldMore.hidden = browsing.next >= page.total;
    fieldView.hidden = false;
    if (offset === 0) fieldView.scrollIntoView({ block: "start" });
  } catch (e) {
    showError(`The field could not be loaded: ${e.message}`);
  }
}

fieldMore.addEventListener("click", () => browsing && browseField(browsing.field, browsing.next));

function summary(recommendations) {
  const n = recommendations.length;
  const weak = recommendations.filter((r) => r.match === "weak").length;
  if (!n) return "No community matches these filters. Try fewer filters.";
  if (weak === n) return "Nothing fits closely. Browse nearby fields below.";
  if (weak) return `${n - weak} communities fit, best first.`;
  return `${n} communities fit, best first.`;
}

async function reportDeadLink(c, button) {
  button.disabled = true;
  try {
    const response = await fetch("/v1/reports", {
      method: "POST",
      headers: jsonHeaders(),
      body: JSON.stringify({ community_id: c.id, kind: "dead_link" }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ? body.error.message : `the server answered ${response.status}`);
    button.replaceWith(el("span", { class: "note", role: "status" }, "Thanks, a moderator will check the link."));
  } catch (e) {
    button.disabled = false;
    showError(`The report could not be sent: ${e.message}`);
  }
}

async function search(note) {
  errorBox.hidden = true;
  writeUrl();
  const body = request();
  if (!body.profile.roles.length && !body.profile.skills.length && !body.profile.interests.length) {
    showError("Type at least one role, skill or interest.");
    form.elements.roles.focus();
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  statusBox.textContent = "Searching…";
  try {
    const response = await fetch("/v1/recommendations", {
      method: "POST",
      headers: jsonHeaders(),
      body: JSON.stringify(body),
    });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error ? data.error.message : `the server answered ${response.status}`);
    await fieldsLoaded;
    render(data.recommendations);
    statusBox.textContent = (note ? note + " " : "") + summary(data.recommendations);
  } catch (e) {
    statusBox.textContent = "";
    showError(`Something went wrong: ${e.message}`);
  } finally {
    button.disabled = false;
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  notForMe = [];
  search();
});

// Loaded once; a search waits for it only to name nearby fields.
const fieldsLoaded = loadFields();
if (readUrl()) search();
