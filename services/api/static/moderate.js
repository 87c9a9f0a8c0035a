// The moderation page: lists pending items and approves or rejects them.
"use strict";

const keyForm = document.getElementById("key");
const statusBox = document.getElementById("status");
const errorBox = document.getElementById("error");
const table = document.querySelector("table.queue");
const queue = document.getElementById("queue");

keyForm.elements.key.value = sessionStorage.getItem("copmatch-admin-key") || "";

function headers() {
  const key = keyForm.elements.key.value.trim();
  const h = { "content-type": "application/json" };
  if (key) h.authorization = `Bearer ${key}`;
  return h;
}

async function call(method, path, body) {
  const response = await fetch(path, { method, headers: headers(), body: body ? JSON.stringify(body) : undefined });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error ? data.error.message : `the server answered ${response.status}`);
  return data;
}

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function row(item) {
  const tr = el("tr", { "data-id": item.id });
  const what = el("td");
  const c = item.community;
  const title = item.kind === "community" ? `New community: ${c.name}` : `Dead link reported: ${c.name}`;
  what.append(el("strong", {}, title), el("br"), el("a", { href: c.url, target: "_blank", rel: "noopener" }, c.url));
  if (item.kind === "community") what.append(el("p", { class: "desc" }, `${c.platform} · ${c.cost} · ${c.description || ""}`));
  if (item.note) what.append(el("p", { class: "desc" }, `Note: ${item.note}`));
  if (item.contact) what.append(el("p", { class: "hint" }, `Contact: ${item.contact}`));
  for (const d of item.duplicates) what.append(el("p", { class: "flag" }, `Possible duplicate of ${d.name} (${d.community_id}): ${d.reason}`));
  const decide = el("td");
  const approve = el("button", { type: "button", class: "primary", "data-action": "approve" }, "Approve");
  const reason = el("input", { type: "text", "aria-label": `Reason to reject ${c.name}`, placeholder: "Reason to reject" });
  const reject = el("button", { type: "button", "data-action": "reject" }, "Reject");
  approve.addEventListener("click", () => decide_(item, "approve"));
  reject.addEventListener("click", () => {
    if (!reason.value.trim()) { showError("Give a reason to reject."); reason.focus(); return; }
    decide_(item, "reject", { reason: reason.value.trim() });
  });
  decide.append(approve, el("br"), reason, reject);
  tr.append(what, decide);
  return tr;
}

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

async function decide_(item, action, body) {
  errorBox.hidden = true;
  try {
    await call("POST", `/v1/submissions/${encodeURIComponent(item.id)}/${action}`, body || {});
    statusBox.textContent = `${item.community.name}: ${action === "approve" ? "approved" : "rejected"}.`;
    await load();
  } catch (e) {
    showError(e.message);
  }
}

async function load() {
  errorBox.hidden = true;
  sessionStorage.setItem("copmatch-admin-key", keyForm.elements.key.value.trim());
  try {
    const items = await call("GET", "/v1/submissions?state=pending");
    queue.replaceChildren(...items.map(row));
    table.hidden = items.length === 0;
    if (!items.length) statusBox.textContent = "Nothing is waiting. Well done.";
  } catch (e) {
    showError(e.message);
  }
}

keyForm.addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});
