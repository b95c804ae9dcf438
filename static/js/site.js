// Progressive enhancement only: every form here works without this file.
(function () {
  "use strict";

  function submitPlainly(form, submitter) {
    delete form.dataset.enhance;
    form.requestSubmit(submitter);
  }

  // "Was this article helpful?": post with fetch and swap the box in place.
  document.addEventListener("submit", async function (event) {
    const form = event.target.closest("form[data-enhance]");
    if (!form || !window.fetch || !window.FormData) return;
    event.preventDefault();
    const box = form.closest("[data-feedback]");
    const body = new FormData(form, event.submitter);
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: body,
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
      });
    } catch (error) {
      submitPlainly(form, event.submitter);
      return;
    }
    const html = await response.text();
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const fresh = holder.querySelector("[data-feedback]");
    if (!fresh) {
      // Not the feedback box (rate limit, expired form): let the server's page explain.
      submitPlainly(form, event.submitter);
      return;
    }
    box.replaceWith(fresh);
    const focusTarget = fresh.querySelector("[role=alert], [role=status], h2");
    if (focusTarget) {
      focusTarget.setAttribute("tabindex", "-1");
      focusTarget.focus();
    }
  });
})();
