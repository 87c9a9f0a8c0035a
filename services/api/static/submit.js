// "Submit your community": posts the form to /v1/submissions.
"use strict";

// The JSON headers of an API call, with the service's public key when it has
// one (the server writes it into the page; it only allows what this page does).
function jsonHeaders() {
  const key = document.querySelector('meta[name="copmatch-key"]')?.content;
  const h = { "content-type": "application/json" };
  if (key) h.authorization = `Bearer ${key}`;
  return h;
}

const form = document.getElementById("submit");
const statusBox = document.getElementById("status");
const errorBox = document.getElementById("error");
const list = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const v = (name) => form.elements[name].value.trim();
  for (const name of ["name", "url", "description"]) {
    if (!v(name)) {
      errorBox.textContent = `Please fill in "${form.querySelector(`label[for=${name}]`).textContent}".`;
      errorBox.hidden = false;
      form.elements[name].focus();
      return;
    }
  }
  const body = {
    name: v("name"), url: v("url"), platform: v("platform"), cost: v("cost"), description: v("description"),
    categories: list(v("categories")), tags: list(v("tags")), languages: list(v("languages")), contact: v("contact") || null,
  };
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  statusBox.textContent = "Sending…";
  try {
    const response = await fetch("/v1/submissions", { method: "POST", headers: jsonHeaders(), body: JSON.stringify(body) });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error ? data.error.message : `the server answered ${response.status}`);
    form.reset();
    statusBox.textContent = `Thank you! "${data.community.name}" is waiting for a moderator (reference ${data.id}).`;
  } catch (e) {
    statusBox.textContent = "";
    errorBox.textContent = `The submission was not accepted: ${e.message}`;
    errorBox.hidden = false;
  } finally {
    button.disabled = false;
  }
});
