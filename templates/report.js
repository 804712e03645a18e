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
  var SELECTS = ["owner", "status", "severity", "service", "region", "team"];
  var HIDDEN = { type: "Resource type", layer: "Layer", rule: "Check" };
  var FILTER_KEYS = SELECTS.concat(Object.keys(HIDDEN));
  var COLUMNS = [
    { key: "status", label: "Status", cls: "col-status" },
    { key: "severity", label: "Severity", cls: "col-sev" },
    { key: "title", label: "Finding" },
    { key: "resource", label: "Resource", cls: "col-res" },
    { key: "region", label: "Region", cls: "col-region" },
    { key: "team", label: "Team", cls: "col-team" }
  ];

  var findings = decode(payload);
  var state = { filters: {}, text: "", sort: null, dir: 1, limit: cfg.page_size, open: {}, printing: false };

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
      f.search = [f.title, f.message, f.rid, f.name, f.arn, f.rule, f.team, f.region, f.service, f.type, f.reason]
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

  function compare(a, b) {
    var group = a.ownerRank - b.ownerRank || a.layerRank - b.layerRank || cmp(a.service, b.service);
    if (group) { return group; }
    if (state.sort) {
      var c = cmp(sortValue(a, state.sort), sortValue(b, state.sort)) * state.dir;
      if (c) { return c; }
    }
    return STATUS_RANK[a.status] - STATUS_RANK[b.status] || SEV_RANK[a.severity] - SEV_RANK[b.severity] ||
      cmp(a.title, b.title) || cmp(a.name || a.rid, b.name || b.rid);
  }

  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); }); }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function render() {
    var list = findings.filter(matches).sort(compare);
    var limit = state.printing ? list.length : state.limit;
    var container = document.getElementById("findings-list");
    var counts = groupCounts(list);
    var frag = document.createDocumentFragment();
    var owner = null, layer = null, service = null, tbody = null;
    for (var i = 0; i < list.length && i < limit; i++) {
      var f = list[i];
      if (f.owner !== owner) {
        owner = f.owner; layer = null;
        var h3 = el("h3", { "class": "owner-" + owner }, OWNER_LABEL[owner] || owner);
        h3.appendChild(el("span", { "class": "meta" }, " — " + counts[owner] + " finding(s)"));
        frag.appendChild(h3);
      }
      if (f.layer !== layer) {
        layer = f.layer; service = null;
        frag.appendChild(el("h4", null, (cfg.layer_labels[layer] || layer) + " (" + counts[owner + "|" + layer] + ")"));
      }
      if (f.service !== service) {
        service = f.service;
        frag.appendChild(el("h5", null, service + " (" + counts[owner + "|" + layer + "|" + service] + ")"));
        tbody = table(frag, OWNER_LABEL[owner] + ", " + (cfg.layer_labels[layer] || layer) + ", " + service);
      }
      addRow(tbody, f);
    }
    container.replaceChildren(frag);
    var shown = Math.min(limit, list.length);
    var count = document.getElementById("f-count");
    count.textContent = list.length === findings.length && shown === list.length
      ? "Showing all " + list.length + " findings"
      : "Showing " + shown + " of " + list.length + " matching findings (" + findings.length + " in total)";
    var more = document.getElementById("f-more");
    more.hidden = shown >= list.length;
    more.textContent = "Show " + Math.min(cfg.page_size, list.length - shown) + " more";
    renderChips();
  }

  function groupCounts(list) {
    var c = {};
    list.forEach(function (f) {
      [f.owner, f.owner + "|" + f.layer, f.owner + "|" + f.layer + "|" + f.service].forEach(function (k) {
        c[k] = (c[k] || 0) + 1;
      });
    });
    return c;
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

  function addRow(tbody, f) {
    var tr = el("tr", { "class": "st-" + f.status });
    var st = el("td");
    st.appendChild(el("span", { "class": "badge status-" + f.status }, f.status));
    tr.appendChild(st);
    tr.appendChild(el("td", null, f.severity));
    var main = el("td");
    var open = !!state.open[f.id] || (state.printing && (f.status === "fail" || f.status === "unknown"));
    var detailId = "d-" + f.id;
    var btn = el("button", { type: "button", "class": "expand", "aria-expanded": String(open), "aria-controls": detailId,
      "data-id": f.id }, f.title);
    main.appendChild(btn);
    main.appendChild(el("div", { "class": "msg" }, f.message));
    tr.appendChild(main);
    var res = el("td", { "class": "res" });
    res.appendChild(el("code", null, f.name || f.rid));
    tr.appendChild(res);
    tr.appendChild(el("td", null, f.region));
    tr.appendChild(el("td", null, f.team || "—"));
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
      if (!v) { return; }
      var shown = key === "layer" ? (cfg.layer_labels[v] || v) : v;
      var chip = el("button", { type: "button", "class": "chip", "data-clear": key,
        "aria-label": "Remove filter " + HIDDEN[key] + ": " + shown }, HIDDEN[key] + ": " + shown + " ✕");
      box.appendChild(chip);
    });
  }

  function readForm() {
    SELECTS.forEach(function (k) { state.filters[k] = document.getElementById("f-" + k).value; });
    state.text = document.getElementById("f-text").value.trim().toLowerCase();
    state.limit = cfg.page_size;
    render();
  }

  function setFilters(values) {
    FILTER_KEYS.forEach(function (k) { state.filters[k] = values[k] || ""; });
    SELECTS.forEach(function (k) {
      var sel = document.getElementById("f-" + k);
      sel.value = state.filters[k];
      if (sel.value !== state.filters[k]) { sel.value = ""; state.filters[k] = ""; }
    });
    document.getElementById("f-text").value = "";
    state.text = "";
    state.limit = cfg.page_size;
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
  document.getElementById("f-reset").addEventListener("click", function () { setFilters({}); });
  document.getElementById("f-more").addEventListener("click", function () {
    state.limit += cfg.page_size;
    render();
  });
  document.getElementById("f-chips").addEventListener("click", function (e) {
    var b = e.target.closest("[data-clear]");
    if (!b) { return; }
    state.filters[b.getAttribute("data-clear")] = "";
    render();
    document.getElementById("f-count").focus();
  });
  document.querySelectorAll("main [data-f-owner], main [data-f-type], main [data-f-layer], main [data-f-rule]")
    .forEach(function (b) {
      if (b.closest("#findings-list")) { return; }
      b.addEventListener("click", function () {
        setFilters(fromButton(b));
        var h = document.getElementById("findings-h");
        h.scrollIntoView();
        h.focus({ preventScroll: true });
      });
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

  // Paper: the walkthrough is often printed, so print every matching finding, failures expanded.
  window.addEventListener("beforeprint", function () { state.printing = true; render(); });
  window.addEventListener("afterprint", function () { state.printing = false; render(); });

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

  render();
  // Read by the browser tests and the scale benchmark: when the page became usable.
  document.documentElement.setAttribute("data-ready-ms", String(Math.round(performance.now())));
  document.documentElement.setAttribute("data-ready", "1");
})();
