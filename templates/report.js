/* srmscan report: filter, sort and draw the findings from the JSON payload.
   Every value from the account is written with textContent, never as markup. No network. */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("report-config").textContent);
  var payload = JSON.parse(document.getElementById("findings-data").textContent);
  var OWNERS = ["customer", "shared", "aws"];
  var OWNER_LABEL = { customer: "Customer", shared: "Shared", aws: "AWS" };
  var LAYERS = Object.keys(cfg.layer_labels);
  var STATUS_RANK = { fail: 0, unknown: 1, pass: 2, info: 3 };
  var SEV_RANK = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
  // The account select exists only on a merged (multi-account) report.
  var SELECTS = ["account", "owner", "status", "severity", "service", "region", "team"].filter(function (k) {
    return document.getElementById("f-" + k);
  });
  var HIDDEN = { type: "Resource type", layer: "Layer", rule: "Check", account: "Account" };
  var FILTER_KEYS = SELECTS.concat(Object.keys(HIDDEN).filter(function (k) { return SELECTS.indexOf(k) === -1; }));
  var COLUMNS = [
    { key: "status", label: "Status", cls: "col-status" },
    { key: "severity", label: "Severity", cls: "col-sev" },
    { key: "title", label: "Finding" },
    { key: "resource", label: "Resource", cls: "col-res" },
    { key: "region", label: "Region", cls: "col-region" },
    { key: "team", label: "Team", cls: "col-team" }
  ];

  var findings = decode(payload);
  var state = { filters: {}, text: "", sort: null, dir: 1, limit: {}, showRest: {}, open: {}, printing: false };

  function decode(p) {
    var interned = {};
    p.interned.forEach(function (c) { interned[c] = true; });
    return p.rows.map(function (row) {
      var f = {};
      for (var i = 0; i < p.columns.length; i++) {
        var col = p.columns[i];
        f[col] = interned[col] ? p.texts[row[i]] : row[i];
      }
      f.ownerRank = OWNERS.indexOf(f.owner);
      f.layerRank = LAYERS.indexOf(f.layer);
      return f;
    });
  }

  function searchText(f) {
    if (f.search === undefined) {
      f.search = [f.title, f.message, f.rid, f.name, f.arn, f.rule, f.team, f.region, f.service, f.type, f.reason, f.account]
        .join(" ").toLowerCase();
    }
    return f.search;
  }

  function matches(f) {
    var fl = state.filters;
    for (var i = 0; i < FILTER_KEYS.length; i++) {
      var key = FILTER_KEYS[i], want = fl[key];
      if (!want) { continue; }
      if (key === "team") {
        if (want === cfg.no_team ? f.team !== "" : f.team !== want) { return false; }
      } else if (f[key] !== want) {
        return false;
      }
    }
    return !state.text || searchText(f).indexOf(state.text) !== -1;
  }

  function sortValue(f, key) {
    if (key === "status") { return STATUS_RANK[f.status]; }
    if (key === "severity") { return SEV_RANK[f.severity]; }
    if (key === "resource") { return (f.name || f.rid).toLowerCase(); }
    return String(f[key] || "").toLowerCase();
  }

  function isOpen(f) { return f.status === "fail" || f.status === "unknown"; }

  // Within a section: failing and unknown first by severity (the reader's order of work).
  function compare(a, b) {
    if (state.sort) {
      var c = cmp(sortValue(a, state.sort), sortValue(b, state.sort)) * state.dir;
      if (c) { return c; }
    }
    return SEV_RANK[a.severity] - SEV_RANK[b.severity] || STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
      cmp(a.title, b.title) || cmp(a.name || a.rid, b.name || b.rid);
  }

  function byLayer(a, b) { return a.layerRank - b.layerRank || compare(a, b); }

  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); }); }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function tally(list) {
    var t = { fail: 0, unknown: 0, pass: 0, info: 0 };
    list.forEach(function (f) { t[f.status] = (t[f.status] || 0) + 1; });
    return t;
  }

  function restLabel(t) {
    var parts = [];
    if (t.pass) { parts.push(t.pass + (t.pass === 1 ? " check passes" : " checks pass")); }
    if (t.info) { parts.push(t.info + " inherited or informational"); }
    return parts.join(", ");
  }

  // One section per owner, in the order of the model; each pages within itself, so a long
  // Customer list never pushes Shared and AWS out of sight.
  function render() {
    var list = findings.filter(matches);
    var frag = document.createDocumentFragment();
    var askedStatus = state.filters.status;
    OWNERS.forEach(function (owner) {
      var mine = list.filter(function (f) { return f.owner === owner; });
      var open = mine.filter(isOpen);
      var rest = mine.filter(function (f) { return !isOpen(f); });
      var t = tally(mine);
      var sec = el("section", { "class": "owner-section sec-" + owner, id: "sec-" + owner, "aria-labelledby": "sec-" + owner + "-h" });
      var h3 = el("h3", { id: "sec-" + owner + "-h", "class": "owner-" + owner }, OWNER_LABEL[owner]);
      h3.appendChild(el("span", { "class": "meta" }, " — " + t.fail + " failing, " + t.unknown + " unknown" +
        (rest.length ? ", " + restLabel(t) : "")));
      sec.appendChild(h3);
      if (!mine.length) {
        sec.appendChild(el("p", { "class": "meta" }, "No " + OWNER_LABEL[owner] + " findings match these filters."));
      } else if (!open.length) {
        sec.appendChild(el("p", { "class": "meta" }, "Nothing failing or unknown here."));
      }
      if (state.printing) {
        drawByLayer(sec, open.sort(byLayer), owner);
        if (rest.length) { sec.appendChild(el("p", { "class": "meta counted" }, restLabel(t) + " (not listed on paper; see report.json).")); }
      } else {
        if (open.length) { drawPaged(sec, open.sort(compare), owner + "|open", owner); }
        if (rest.length) {
          var shown = state.showRest[owner] || askedStatus === "pass" || askedStatus === "info";
          var toggle = el("button", { type: "button", "class": "rest-toggle", "data-rest": owner,
            "aria-expanded": String(!!shown) }, restLabel(t) + (shown ? " — hide" : " — show"));
          sec.appendChild(toggle);
          if (shown) { drawPaged(sec, rest.sort(compare), owner + "|rest", owner); }
        }
      }
      frag.appendChild(sec);
    });
    document.getElementById("findings-list").replaceChildren(frag);
    var all = tally(list);
    var count = document.getElementById("f-count");
    count.textContent = (list.length === findings.length ? "All " + list.length + " findings"
      : list.length + " of " + findings.length + " findings match the filters") +
      ": " + all.fail + " failing, " + all.unknown + " unknown, " + all.pass + " passing, " + all.info + " info";
    renderChips();
  }

  function drawPaged(sec, items, key, owner) {
    var limit = state.limit[key] || cfg.section_page;
    var tbody = table(sec, OWNER_LABEL[owner] + (key.slice(-4) === "open" ? ": failing and unknown" : ": passing and info"));
    for (var i = 0; i < items.length && i < limit; i++) { addRow(tbody, items[i]); }
    if (items.length > limit) {
      var left = items.length - limit;
      sec.appendChild(el("button", { type: "button", "class": "more", "data-more": key },
        "Show " + Math.min(cfg.section_page, left) + " more of " + left + " (" + OWNER_LABEL[owner] + ")"));
    }
  }

  function drawByLayer(sec, items, owner) {
    var layer = null, tbody = null;
    items.forEach(function (f) {
      if (f.layer !== layer) {
        layer = f.layer;
        var n = items.filter(function (x) { return x.layer === layer; }).length;
        sec.appendChild(el("h4", null, (cfg.layer_labels[layer] || layer) + " (" + n + ")"));
        tbody = table(sec, OWNER_LABEL[owner] + ", " + (cfg.layer_labels[layer] || layer));
      }
      addRow(tbody, f);
    });
  }

  function table(frag, caption) {
    var t = el("table");
    t.appendChild(el("caption", { "class": "sr-only" }, caption));
    var tr = el("tr");
    COLUMNS.forEach(function (col) {
      var th = el("th", { scope: "col", "class": col.cls || "" });
      if (state.sort === col.key) { th.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending"); }
      var b = el("button", { type: "button", "data-sort": col.key }, col.label);
      th.appendChild(b);
      tr.appendChild(th);
    });
    t.appendChild(el("thead")).appendChild(tr);
    var body = el("tbody");
    t.appendChild(body);
    frag.appendChild(t);
    return body;
  }

  // Each cell carries its column name (data-label): on a narrow screen the row becomes a stacked
  // card and CSS prints the label before the value.
  function addRow(tbody, f) {
    var tr = el("tr", { "class": "st-" + f.status });
    var st = el("td", { "class": "c-status", "data-label": "Status" });
    st.appendChild(el("span", { "class": "badge status-" + f.status }, f.status));
    tr.appendChild(st);
    tr.appendChild(el("td", { "class": "c-sev sev-" + f.severity, "data-label": "Severity" }, f.severity));
    var main = el("td", { "class": "c-main", "data-label": "Finding" });
    var open = !!state.open[f.id] && !state.printing;
    var detailId = "d-" + f.id;
    var btn = el("button", { type: "button", "class": "expand", "aria-expanded": String(open), "aria-controls": detailId,
      "data-id": f.id }, f.title);
    main.appendChild(btn);
    main.appendChild(el("div", { "class": "msg" }, f.status === "unknown" && f.reason ? f.reason : f.message));
    main.appendChild(el("div", { "class": "where meta" }, (cfg.multi_account ? f.account + " · " : "") + (cfg.layer_labels[f.layer] || f.layer) + " · " + f.service +
      " · " + f.rule));
    tr.appendChild(main);
    var res = el("td", { "class": "res", "data-label": "Resource" });
    if (f.name && f.name !== f.rid) { res.appendChild(el("span", { "class": "rname" }, f.name)); }
    res.appendChild(el("code", { "class": "rid" }, f.rid));
    tr.appendChild(res);
    tr.appendChild(el("td", { "class": "c-region", "data-label": "Region" }, f.region));
    tr.appendChild(el("td", { "class": "c-team", "data-label": "Team" }, f.team || "—"));
    tbody.appendChild(tr);
    if (open) { tbody.appendChild(detailRow(f, detailId)); }
  }

  function detailRow(f, id) {
    var tr = el("tr", { "class": "detail", id: id });
    var td = el("td", { colspan: String(COLUMNS.length) });
    var dl = el("dl", { "class": "detail" });
    function item(label, value, asCode) {
      if (!value) { return; }
      dl.appendChild(el("dt", null, label));
      var dd = el("dd");
      if (asCode) { dd.appendChild(el("pre", null, value)); } else { dd.textContent = value; }
      dl.appendChild(dd);
    }
    item("What is wrong", f.message);
    if (f.status === "unknown") { item("Why unknown", f.reason); }
    item("Evidence", f.evidence, true);
    item("Last change (CloudTrail lead)", f.attribution, true);
    item("Resource name", f.name);
    item("Resource id", f.rid);
    item("ARN", f.arn);
    item("Type / region", f.type + " · " + f.region);
    item("Team", f.team || "(no owner tag)");
    item("Owner / layer / tier", (OWNER_LABEL[f.owner] || f.owner) + " / " + (cfg.layer_labels[f.layer] || f.layer) +
      (f.tier ? " / " + f.tier : ""));
    item("Why it matters", f.rationale);
    item("Remediation", f.remediation);
    item("AWS FSBP", f.fsbp.join(", "));
    item("CIS", f.cis.join(", "));
    item("Check / finding id", f.rule + " · " + f.id);
    td.appendChild(dl);
    tr.appendChild(td);
    return tr;
  }

  function renderChips() {
    var box = document.getElementById("f-chips");
    box.replaceChildren();
    Object.keys(HIDDEN).forEach(function (key) {
      var v = state.filters[key];
      if (!v || SELECTS.indexOf(key) !== -1) { return; }
      var shown = key === "layer" ? (cfg.layer_labels[v] || v) : v;
      var chip = el("button", { type: "button", "class": "chip", "data-clear": key,
        "aria-label": "Remove filter " + HIDDEN[key] + ": " + shown }, HIDDEN[key] + ": " + shown + " ✕");
      box.appendChild(chip);
    });
  }

  // The view lives in the URL fragment (#view?status=fail&owner=shared), so a link opens the same
  // view and the back button steps back through filter changes. Plain anchors (#map-h) are left alone.
  var VIEW = "#view?";

  function viewHash() {
    var parts = [];
    FILTER_KEYS.forEach(function (k) {
      if (state.filters[k]) { parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(state.filters[k])); }
    });
    if (state.text) { parts.push("q=" + encodeURIComponent(state.text)); }
    return parts.length ? VIEW + parts.join("&") : "";
  }

  function remember(replace) {
    var hash = viewHash();
    var now = location.hash.indexOf(VIEW) === 0 ? location.hash : "";
    if (hash === now) { return; }
    var url = location.pathname + location.search + hash;
    try {
      if (replace) { history.replaceState(null, "", url); } else { history.pushState(null, "", url); }
    } catch (err) {
      // Some browsers refuse history changes on file: pages; the view still works, unshared.
    }
  }

  function fromHash() {
    var values = {}, text = "";
    if (location.hash.indexOf(VIEW) === 0) {
      location.hash.slice(VIEW.length).split("&").forEach(function (pair) {
        var i = pair.indexOf("=");
        if (i < 1) { return; }
        var k = decodeURIComponent(pair.slice(0, i)), v = decodeURIComponent(pair.slice(i + 1));
        if (k === "q") { text = v; } else if (FILTER_KEYS.indexOf(k) !== -1) { values[k] = v; }
      });
    }
    return { values: values, text: text };
  }

  function readForm(e) {
    SELECTS.forEach(function (k) { state.filters[k] = document.getElementById("f-" + k).value; });
    state.text = document.getElementById("f-text").value.trim().toLowerCase();
    state.limit = {};
    render();
    // Typing replaces the entry (one history step per search, not per key).
    remember(!!(e && e.target && e.target.id === "f-text"));
  }

  function setFilters(values, text) {
    FILTER_KEYS.forEach(function (k) { state.filters[k] = values[k] || ""; });
    SELECTS.forEach(function (k) {
      var sel = document.getElementById("f-" + k);
      sel.value = state.filters[k];
      if (sel.value !== state.filters[k]) { sel.value = ""; state.filters[k] = ""; }
    });
    document.getElementById("f-text").value = text || "";
    state.text = (text || "").trim().toLowerCase();
    state.limit = {};
    render();
  }

  function fromButton(b) {
    var values = {};
    FILTER_KEYS.forEach(function (k) {
      var v = b.getAttribute("data-f-" + k);
      if (v) { values[k] = v; }
    });
    return values;
  }

  document.getElementById("filters").addEventListener("input", readForm);
  document.getElementById("filters").addEventListener("submit", function (e) { e.preventDefault(); });
  document.getElementById("f-reset").addEventListener("click", function () { setFilters({}); remember(false); });
  document.getElementById("f-chips").addEventListener("click", function (e) {
    var b = e.target.closest("[data-clear]");
    if (!b) { return; }
    state.filters[b.getAttribute("data-clear")] = "";
    render();
    remember(false);
    document.getElementById("f-count").focus();
  });
  document.querySelectorAll("main [data-f-owner], main [data-f-type], main [data-f-layer], main [data-f-rule], main [data-f-account]")
    .forEach(function (b) {
      if (b.closest("#findings-list")) { return; }
      b.addEventListener("click", function () {
        setFilters(fromButton(b));
        remember(false);
        var h = document.getElementById("findings-h");
        h.scrollIntoView();
        h.focus({ preventScroll: true });
      });
    });
  window.addEventListener("popstate", function () {
    if (location.hash && location.hash.indexOf(VIEW) !== 0) { return; }
    var v = fromHash();
    setFilters(v.values, v.text);
  });
  document.getElementById("findings-list").addEventListener("click", function (e) {
    var sort = e.target.closest("[data-sort]");
    if (sort) {
      var key = sort.getAttribute("data-sort");
      if (state.sort === key) { state.dir = -state.dir; } else { state.sort = key; state.dir = 1; }
      render();
      var again = document.querySelector('#findings-list [data-sort="' + key + '"]');
      if (again) { again.focus(); }
      return;
    }
    var more = e.target.closest("[data-more]");
    if (more) {
      var mk = more.getAttribute("data-more");
      state.limit[mk] = (state.limit[mk] || cfg.section_page) + cfg.section_page;
      render();
      return;
    }
    var rest = e.target.closest("[data-rest]");
    if (rest) {
      var owner = rest.getAttribute("data-rest");
      state.showRest[owner] = !state.showRest[owner];
      render();
      var back = document.querySelector('#findings-list [data-rest="' + owner + '"]');
      if (back) { back.focus(); }
      return;
    }
    var btn = e.target.closest("button.expand");
    if (!btn) { return; }
    var id = btn.getAttribute("data-id");
    var open = btn.getAttribute("aria-expanded") !== "true";
    state.open[id] = open;
    btn.setAttribute("aria-expanded", String(open));
    var row = btn.closest("tr");
    if (open) {
      var f = findings.find(function (x) { return x.id === id; });
      row.parentNode.insertBefore(detailRow(f, "d-" + id), row.nextSibling);
    } else {
      var d = document.getElementById("d-" + id);
      if (d) { d.remove(); }
    }
  });

  // Paper is for the sign-off walkthrough: every failing and unknown finding of the current view,
  // compact and grouped owner -> layer; passes only counted. Browsers fire beforeprint; a print
  // preview that only switches the media type (a headless PDF) is caught by the media query.
  function printing(on) {
    if (state.printing === on) { return; }
    state.printing = on;
    render();
  }
  window.addEventListener("beforeprint", function () { printing(true); });
  window.addEventListener("afterprint", function () { printing(false); });
  var printQuery = window.matchMedia ? window.matchMedia("print") : null;
  if (printQuery && printQuery.addEventListener) {
    printQuery.addEventListener("change", function (q) { printing(q.matches); });
  }

  var themes = ["auto", "light", "dark"];
  var themeBtn = document.getElementById("theme");
  themeBtn.addEventListener("click", function () {
    var now = document.documentElement.getAttribute("data-theme") || "auto";
    var next = themes[(themes.indexOf(now) + 1) % themes.length];
    if (next === "auto") { document.documentElement.removeAttribute("data-theme"); }
    else { document.documentElement.setAttribute("data-theme", next); }
    themeBtn.textContent = "Theme: " + next;
    themeBtn.setAttribute("aria-label", "Colour theme: " + (next === "auto" ? "follows the system" : next));
  });

  var initial = fromHash();
  if (Object.keys(initial.values).length || initial.text) { setFilters(initial.values, initial.text); } else { render(); }
  // Read by the browser tests and the scale benchmark: when the page became usable.
  document.documentElement.setAttribute("data-ready-ms", String(Math.round(performance.now())));
  document.documentElement.setAttribute("data-ready", "1");
})();
