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
    if (response.ok) remember(form.action);
    const focusTarget = fresh.querySelector("[role=alert], [role=status], h2");
    if (focusTarget) {
      focusTarget.setAttribute("tabindex", "-1");
      focusTarget.focus();
    }
  });

  // The article page is the same for everyone (a cache may serve it), so it shows nobody's
  // vote. A browser that voted on an article remembers so, and asks for its own box there.
  // Keyed by the article, not its address: a vote is the same in every language.
  function votedKey(voteUrl) {
    const box = document.querySelector("[data-feedback]");
    const article = box && box.dataset.feedback;
    return "voted:" + (article || voteUrl.replace(/\/vote$/, ""));
  }

  function remember(voteUrl) {
    try {
      localStorage.setItem(votedKey(voteUrl), "1");
    } catch (error) {
      // Storage refused (private browsing): the page just won't show the vote next time.
    }
  }

  async function showOwnVote() {
    const box = document.querySelector("[data-feedback]");
    const form = box && box.querySelector("form[data-enhance]");
    if (!form || !window.fetch) return;
    try {
      if (!localStorage.getItem(votedKey(form.action))) return;
      const response = await fetch(form.action.replace(/\/vote$/, "/feedback"), {
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
      });
      if (!response.ok) return;
      const holder = document.createElement("div");
      holder.innerHTML = await response.text();
      const fresh = holder.querySelector("[data-feedback]");
      if (fresh && box.isConnected) box.replaceWith(fresh);
    } catch (error) {
      // No storage, offline or refused: the shared box stays, and voting still works.
    }
  }
  showOwnVote();

  // Instant search: results under the search box while typing (a combobox with a listbox).
  // Without JavaScript the form goes to the results page. Keystrokes are not recorded: a
  // search is recorded when typing settles or when a result is opened.
  const TYPE_DELAY = 200;
  const SETTLE_DELAY = 1500;
  // Six suggestions with two-line snippets fill a desktop; three fit a phone's screen.
  const SMALL_SCREEN = window.matchMedia("(max-width: 40rem)");

  function snippetNodes(html) {
    // The server escapes snippets and adds only <mark>; keep exactly text and <mark>.
    const doc = new DOMParser().parseFromString(html, "text/html");
    const nodes = [];
    doc.body.childNodes.forEach(function (node) {
      if (node.nodeType === Node.TEXT_NODE) nodes.push(document.createTextNode(node.textContent));
      else if (node.nodeName === "MARK") {
        const mark = document.createElement("mark");
        mark.textContent = node.textContent;
        nodes.push(mark);
      }
    });
    return nodes;
  }

  function setUpInstantSearch(form) {
    const input = form.querySelector("input[type=search]");
    if (!input || !window.fetch) return;
    const endpoint = form.dataset.instantSearch;
    const list = document.createElement("ul");
    const live = document.createElement("p");
    list.id = input.id + "-instant";
    list.className = "instant-results";
    list.setAttribute("role", "listbox");
    const words = form.dataset;  // the page's language: see templates/_macros.html
    list.setAttribute("aria-label", words.textSuggested);
    list.hidden = true;
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    form.appendChild(list);
    form.appendChild(live);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");

    let typeTimer = null;
    let settleTimer = null;
    let active = -1;
    let latest = 0;

    function options() { return Array.from(list.querySelectorAll("[role=option]")); }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      all.forEach(function (option, n) { option.setAttribute("aria-selected", String(n === active)); });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }

    // An option of a listbox can't hold a link (nested interactive controls), so each option
    // keeps its address in data-href and is opened on Enter or click.
    function option(id, href) {
      const item = document.createElement("li");
      item.id = id;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.dataset.href = href;
      return item;
    }

    function render(data) {
      list.replaceChildren();
      data.results.forEach(function (result, n) {
        const item = option(list.id + "-" + n, result.open_url);
        const title = document.createElement("span");
        title.className = "title";
        title.textContent = result.title;
        const snippet = document.createElement("span");
        snippet.className = "snippet";
        snippet.replaceChildren.apply(snippet, snippetNodes(result.snippet));
        item.append(title, snippet);
        // An article not yet in the page's language is marked as the language it is in.
        if (result.language !== document.documentElement.lang) item.lang = result.language;
        list.appendChild(item);
      });
      const all = option(list.id + "-all", form.action + "?q=" + encodeURIComponent(data.query));
      all.className = "all-results";
      all.textContent = data.total ? words.textSeeAll.replace("{n}", data.total) : words.textNoneYet;
      list.appendChild(all);
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
      live.textContent = data.total
        ? (data.total === 1 ? words.textFoundOne : words.textFoundMany).replace("{n}", data.total)
        : words.textNone;
    }

    async function fetchResults(query, record) {
      const ticket = ++latest;
      const limit = SMALL_SCREEN.matches ? 3 : 6;
      const url = endpoint + "?limit=" + limit + "&q=" + encodeURIComponent(query) + (record ? "" : "&instant=1");
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (!response.ok) return;
        const data = await response.json();
        if (ticket === latest && input.value.trim() === query) render(data);
      } catch (error) {
        /* offline or failing: the form still submits to the results page */
      }
    }

    input.addEventListener("input", function () {
      clearTimeout(typeTimer);
      clearTimeout(settleTimer);
      const query = input.value.trim();
      if (query.length < 2) { close(); return; }
      typeTimer = setTimeout(function () { fetchResults(query, false); }, TYPE_DELAY);
      settleTimer = setTimeout(function () { fetchResults(query, true); }, SETTLE_DELAY);
    });

    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Escape") {
        // Close the suggestions and keep what was typed (a search input clears on Escape).
        event.preventDefault();
        close();
      }
      else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        clearTimeout(settleTimer);
        window.location.assign(options()[active].dataset.href);
      }
    });

    list.addEventListener("click", function (event) {
      const chosen = event.target.closest("[role=option]");
      if (!chosen) return;
      clearTimeout(settleTimer);
      window.location.assign(chosen.dataset.href);
    });

    form.addEventListener("submit", function () { clearTimeout(settleTimer); });
    document.addEventListener("click", function (event) { if (!form.contains(event.target)) close(); });
  }

  document.querySelectorAll("form[data-instant-search]").forEach(setUpInstantSearch);
})();
