/* The review page: draws the records embedded in #review-data, one page at a time.
 *
 * Data (pipeline/output/review.py, compact_record): {labels, sections, records: [r]} where r has
 *   id, st (status), t (title), m (other metadata fields), src {p path, f format, i index,
 *   h sha256 prefix; with --source-root also href, full, miss}, err [type, message],
 *   w [warnings], x (abstract text), xs (its offset in the source text),
 *   b bands [section, heading, start, end] tiling x, and entity rows
 *   [label, start, end, section, attrs(, source start, source end)] in three lists:
 *   e (offsets into x), te (into t, title entities), oe (into the texts ot, entities found nowhere else).
 *   label and section are indexes into the name tables; start/end are display extents (nested:
 *   an entity crossing an earlier one starts at its end). The source offsets are given when they
 *   are not xs + start and xs + end.
 * Only text nodes are made from the data (no innerHTML), so record text never becomes markup.
 */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("review-data").textContent);
  var LABELS = DATA.labels, SECTIONS = DATA.sections, RECORDS = DATA.records;
  var DEFAULTS = { label: "", section: "", status: "", q: "", page: 1, size: 25 };
  var state = Object.assign({}, DEFAULTS);
  var matched = [];
  var exactIndex = null;
  var byId = function (id) { return document.getElementById(id); };
  var controls = { label: byId("f-label"), section: byId("f-section"), status: byId("f-status"), q: byId("f-q"), size: byId("f-size") };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function fmt(n) { return n.toLocaleString("en-US"); }
  function show(value) {
    if (typeof value === "string") return value;
    if (Array.isArray(value)) return "[" + value.map(show).join(", ") + "]";
    return JSON.stringify(value);
  }

  /* ---------------------------------------------------------------- entities and filters */

  function sourceSpan(row, r) { return row.length > 5 ? [row[5], row[6]] : [r.xs + row[1], r.xs + row[2]]; }
  function abstractText(row, r) {
    // the whole entity text, also for one drawn shorter because it crosses an earlier entity
    var span = sourceSpan(row, r), s = span[0] - r.xs, e = span[1] - r.xs;
    return s >= 0 && e <= r.x.length && s < e ? r.x.slice(s, e) : r.x.slice(row[1], row[2]);
  }
  function eachEntity(r, fn) {
    (r.te || []).forEach(function (row) { fn(row, (r.t || "").slice(row[1], row[2])); });
    (r.e || []).forEach(function (row) { fn(row, abstractText(row, r)); });
    (r.oe || []).forEach(function (row, i) { fn(row, r.ot[i]); });
  }
  function entityShown(row) {
    if (state.label && LABELS[row[0]] !== state.label) return false;
    if (state.section && SECTIONS[row[3]] !== state.section) return false;
    return true;
  }
  function hasSection(r, name) {
    if (name === "TITLE") return Boolean(r.te && r.te.length);
    return (r.b || []).some(function (b) { return SECTIONS[b[0]] === name; });
  }
  function searchKey(r) {
    if (r._key === undefined) {
      var m = r.m || {};
      var parts = [r.id, r.t, r.src && r.src.p, m.pmid, m.doi, m.pmcid];
      eachEntity(r, function (row, text) {
        if (LABELS[row[0]] === "DRUG") parts.push(text, row[4] && row[4].norm);
      });
      r._key = parts.filter(Boolean).join("\n").toLowerCase();
    }
    return r._key;
  }
  function exactMatches(q) {
    // an id, PMID, PMCID or DOI typed in full finds that record, not every record containing it
    if (exactIndex === null) {
      exactIndex = new Map();
      RECORDS.forEach(function (r, i) {
        var m = r.m || {};
        new Set([r.id, m.pmid, m.pmcid, m.doi].filter(Boolean).map(function (k) { return String(k).toLowerCase(); })).forEach(function (k) {
          if (!exactIndex.has(k)) exactIndex.set(k, []);
          exactIndex.get(k).push(i);
        });
      });
    }
    return exactIndex.get(q) || null;
  }
  function recordMatches(r) {
    if (state.status && r.st !== state.status) return false;
    if (state.section && !hasSection(r, state.section)) return false;
    if (state.label) {
      var any = false;
      eachEntity(r, function (row) { any = any || entityShown(row); });
      if (!any) return false;
    }
    return true;
  }
  function filter() {
    var q = state.q.trim().toLowerCase();
    var exact = q ? exactMatches(q) : null;
    var pool = exact ? exact : RECORDS.map(function (_, i) { return i; });
    matched = pool.filter(function (i) {
      var r = RECORDS[i];
      return recordMatches(r) && (!q || exact || searchKey(r).indexOf(q) >= 0);
    });
  }

  /* ---------------------------------------------------------------- drawing */

  function tooltip(row, text, r) {
    var lines = [LABELS[row[0]] + "  " + text], span = sourceSpan(row, r);
    Object.keys(row[4] || {}).forEach(function (k) { lines.push(k + ": " + show(row[4][k])); });
    lines.push("[" + span[0] + ":" + span[1] + "] " + (SECTIONS[row[3]] || "no section"));
    return lines.join("\n");
  }
  function makeMark(row, text, r) {
    var label = LABELS[row[0]] || "?";
    var m = el("mark", "ent ent-" + label);
    m.dataset.label = label;
    m.tabIndex = 0;
    m.title = tooltip(row, text, r);
    m._entity = { row: row, text: text, record: r.id, span: sourceSpan(row, r) };
    var q = state.q.trim().toLowerCase();
    if (q && (text.toLowerCase().indexOf(q) >= 0 || (row[4] && String(row[4].norm || "").toLowerCase() === q))) m.classList.add("hit");
    return m;
  }
  /* Text [from, to) of `text` into `parent`, shown entities (display extents inside it) as marks. */
  function appendMarked(parent, text, from, to, rows, r, fullText) {
    var stack = [{ node: parent, end: to }];
    var pos = from;
    function top() { return stack[stack.length - 1]; }
    function flush(upto) {
      if (upto > pos) top().node.appendChild(document.createTextNode(text.slice(pos, upto)));
      pos = Math.max(pos, upto);
    }
    rows.forEach(function (row) {
      if (row[1] < from || row[2] > to || !entityShown(row)) return;
      while (stack.length > 1 && top().end <= row[1]) { flush(top().end); stack.pop(); }
      flush(row[1]);
      var m = makeMark(row, fullText(row), r);
      top().node.appendChild(m);
      stack.push({ node: m, end: row[2] });
    });
    while (stack.length > 1) { flush(top().end); stack.pop(); }
    flush(to);
  }
  function citation(r) {
    var m = r.m || {}, p = el("p", "cite");
    if (m.journal || m.journal_title) p.appendChild(el("b", null, m.journal || m.journal_title));
    var bits = [];
    var vol = [m.year, m.volume ? (m.year ? ";" : "") + m.volume : "", m.issue ? "(" + m.issue + ")" : "", m.pages ? ":" + m.pages : ""].join("");
    if (vol) bits.push(vol);
    if (m.doi) bits.push("doi: " + m.doi);
    if (m.pmid) bits.push("PMID: " + m.pmid);
    if (m.pmcid) bits.push(m.pmcid);
    if (bits.length) p.appendChild(document.createTextNode((p.firstChild ? ". " : "") + bits.join(" · ")));
    if (m.authors && m.authors.length) {
      var names = m.authors.slice(0, 6).join(", ") + (m.authors.length > 6 ? ", et al. (" + m.authors.length + ")" : "");
      p.appendChild(el("br"));
      p.appendChild(document.createTextNode(names));
    }
    return p.firstChild ? p : null;
  }
  var CITED = { journal: 1, journal_title: 1, year: 1, volume: 1, issue: 1, pages: 1, doi: 1, pmid: 1, pmcid: 1 };
  function metadataDetails(r) {
    var m = r.m || {}, keys = Object.keys(m).filter(function (k) { return !CITED[k]; });
    if (!keys.length) return null;
    var d = el("details", "meta"), dl = el("dl");
    d.appendChild(el("summary", null, "metadata: " + keys.join(", ")));
    keys.forEach(function (k) {
      dl.appendChild(el("dt", null, k));
      var v = m[k];
      dl.appendChild(el("dd", null, Array.isArray(v) ? v.map(show).join("; ") : show(v)));
    });
    d.appendChild(dl);
    return d;
  }
  function sourceLine(r) {
    var s = r.src || {}, p = el("p", "src");
    p.appendChild(document.createTextNode("source " + (s.f || "?") + ": "));
    if (s.href) {
      var a = el("a", null, s.p);
      a.href = s.href;
      a.title = s.full || s.p;
      p.appendChild(a);
    } else {
      p.appendChild(el("code", null, s.p || "?"));
    }
    if (s.i) p.appendChild(document.createTextNode(" #" + s.i));
    if (s.miss) p.appendChild(el("span", "missing", " (file not found under the source root)"));
    if (s.h) p.appendChild(document.createTextNode(" · sha256 " + s.h + "…"));
    return p;
  }
  function card(r) {
    var c = el("article", "record st-" + r.st);
    c.dataset.id = r.id;
    c.dataset.status = r.st;
    var h = el("h3");
    if (r.t) appendMarked(h, r.t, 0, r.t.length, r.te || [], r, function (row) { return r.t.slice(row[1], row[2]); });
    else h.appendChild(el("span", "muted", "(no title)"));
    h.appendChild(document.createTextNode(" "));
    h.appendChild(el("span", "status status-" + r.st, r.st));
    h.appendChild(el("span", "rid", r.id));
    c.appendChild(h);
    var cite = citation(r);
    if (cite) c.appendChild(cite);
    var meta = metadataDetails(r);
    if (meta) c.appendChild(meta);
    c.appendChild(sourceLine(r));
    if (r.err) c.appendChild(el("div", "message-box error-message", r.err[0] + ": " + r.err[1]));
    (r.w || []).forEach(function (w) { c.appendChild(el("div", "message-box warn", w)); });
    var hidden = 0;
    var textOf = function (row) { return abstractText(row, r); };
    (r.b || []).forEach(function (b) {
      var name = SECTIONS[b[0]];
      if (state.section && name !== state.section) { hidden += 1; return; }
      var band = el("div", "band" + (name ? " sec-" + name : ""));
      band.dataset.section = name || "";
      var chip = el("span", "chip" + (name ? " chip-" + name : ""), name || "no section");
      if (b[1]) chip.title = "heading: " + b[1];
      band.appendChild(chip);
      appendMarked(band, r.x, b[2], b[3], r.e || [], r, textOf);
      c.appendChild(band);
    });
    if (hidden) c.appendChild(el("p", "hidden-bands", hidden + " other section" + (hidden > 1 ? "s" : "") + " hidden by the section filter"));
    if (r.oe && r.oe.length) {
      var o = el("p", "other-ents", "Entities outside the abstract, not found in the title: ");
      r.oe.forEach(function (row, i) { appendMarked(o, r.ot[i], 0, r.ot[i].length, [row], r, function () { return r.ot[i]; }); o.appendChild(document.createTextNode(" ")); });
      c.appendChild(o);
    }
    var counts = {};
    eachEntity(r, function (row) { var l = LABELS[row[0]]; counts[l] = (counts[l] || 0) + 1; });
    var names = Object.keys(counts);
    c.appendChild(el("p", "ent-counts", names.length ? "entities: " + names.map(function (l) { return l + " " + counts[l]; }).join(" · ") : "no entities"));
    return c;
  }
  function pager(nav, pages) {
    nav.textContent = "";
    if (pages <= 1) return;
    function button(text, page, name) {
      var b = el("button", null, text);
      b.type = "button";
      b.dataset.page = String(page);
      b.name = name;
      b.disabled = page === state.page || page < 1 || page > pages;
      nav.appendChild(b);
    }
    button("« first", 1, "first");
    button("‹ previous", state.page - 1, "previous");
    nav.appendChild(el("span", "page-no", "page " + fmt(state.page) + " of " + fmt(pages)));
    button("next ›", state.page + 1, "next");
    button("last »", pages, "last");
  }
  function render() {
    var pages = Math.max(1, Math.ceil(matched.length / state.size));
    state.page = Math.min(Math.max(1, state.page), pages);
    var first = (state.page - 1) * state.size;
    var list = byId("records");
    var frag = document.createDocumentFragment();
    var marks = 0;
    matched.slice(first, first + state.size).forEach(function (i) {
      var c = card(RECORDS[i]);
      marks += c.querySelectorAll("mark.ent").length;
      frag.appendChild(c);
    });
    list.textContent = "";
    if (!matched.length) list.appendChild(el("p", "empty", "No record matches these filters."));
    list.appendChild(frag);
    var summary = byId("summary");
    summary.textContent = matched.length
      ? "Records " + fmt(first + 1) + "–" + fmt(Math.min(first + state.size, matched.length)) + " of " + fmt(matched.length) +
        (matched.length < RECORDS.length ? " (filtered from " + fmt(RECORDS.length) + ")" : "") + " · " + fmt(marks) + " entities marked on this page"
      : "0 of " + fmt(RECORDS.length) + " records";
    summary.dataset.matched = String(matched.length);
    summary.dataset.marked = String(marks);
    pager(byId("pager"), pages);
    pager(byId("pager-bottom"), pages);
    byId("details").hidden = true;
  }

  /* ---------------------------------------------------------------- state, controls, hash */

  function writeHash() {
    var p = new URLSearchParams();
    Object.keys(DEFAULTS).forEach(function (k) { if (state[k] !== DEFAULTS[k]) p.set(k, String(state[k])); });
    var hash = p.toString();
    history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
  }
  function readHash() {
    var p = new URLSearchParams(location.hash.slice(1));
    state = Object.assign({}, DEFAULTS);
    ["label", "section", "status", "q"].forEach(function (k) { if (p.has(k)) state[k] = p.get(k); });
    state.page = parseInt(p.get("page"), 10) || 1;
    state.size = parseInt(p.get("size"), 10) || DEFAULTS.size;
    ["label", "section", "status", "q"].forEach(function (k) { controls[k].value = state[k]; });
    if (![].some.call(controls.size.options, function (o) { return o.value === String(state.size); })) controls.size.appendChild(el("option", null, state.size));
    controls.size.value = String(state.size);
  }
  function update(resetPage) {
    if (resetPage) state.page = 1;
    filter();
    render();
    writeHash();
  }
  function fillOptions() {
    var labelCounts = {}, sectionCounts = {};
    RECORDS.forEach(function (r) {
      eachEntity(r, function (row) { labelCounts[row[0]] = (labelCounts[row[0]] || 0) + 1; });
      var seen = {};
      (r.b || []).forEach(function (b) { if (b[0] >= 0) seen[b[0]] = 1; });
      if (r.te && r.te.length) seen[SECTIONS.indexOf("TITLE")] = 1;
      Object.keys(seen).forEach(function (s) { sectionCounts[s] = (sectionCounts[s] || 0) + 1; });
    });
    LABELS.forEach(function (name, i) {
      if (!labelCounts[i]) return;
      var o = el("option", null, name + " (" + fmt(labelCounts[i]) + ")");
      o.value = name;
      controls.label.appendChild(o);
    });
    SECTIONS.forEach(function (name, i) {
      if (!sectionCounts[i]) return;
      var o = el("option", null, name + " (" + fmt(sectionCounts[i]) + " records)");
      o.value = name;
      controls.section.appendChild(o);
    });
  }
  function showDetails(mark) {
    var info = mark._entity, row = info.row, box = byId("details");
    document.querySelectorAll("mark.ent.selected").forEach(function (m) { m.classList.remove("selected"); });
    mark.classList.add("selected");
    box.textContent = "";
    var close = el("button", "close", "×");
    close.type = "button";
    close.title = "close";
    close.addEventListener("click", function () { box.hidden = true; mark.classList.remove("selected"); });
    box.appendChild(close);
    var h = el("h4");
    h.appendChild(el("span", "ent ent-" + LABELS[row[0]], LABELS[row[0]]));
    h.appendChild(document.createTextNode(" " + info.text));
    box.appendChild(h);
    var table = el("table");
    function add(k, v) { var tr = el("tr"); tr.appendChild(el("th", null, k)); tr.appendChild(el("td", null, v)); table.appendChild(tr); }
    Object.keys(row[4] || {}).forEach(function (k) { add(k, show(row[4][k])); });
    if (!Object.keys(row[4] || {}).length) add("attributes", "none");
    var clipped = info.span[1] - info.span[0] !== row[2] - row[1];
    add("offsets", "[" + info.span[0] + ":" + info.span[1] + "] in the source text" + (clipped ? " (crosses an earlier entity)" : ""));
    add("section", SECTIONS[row[3]] || "none");
    add("record", info.record);
    box.appendChild(table);
    box.hidden = false;
  }

  var timer = null;
  controls.q.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = controls.q.value; update(true); }, 150);
  });
  ["label", "section", "status"].forEach(function (k) {
    controls[k].addEventListener("change", function () { state[k] = controls[k].value; update(true); });
  });
  controls.size.addEventListener("change", function () { state.size = parseInt(controls.size.value, 10) || DEFAULTS.size; update(true); });
  byId("controls").addEventListener("submit", function (ev) { ev.preventDefault(); clearTimeout(timer); state.q = controls.q.value; update(true); });
  byId("controls").addEventListener("reset", function () { setTimeout(function () { state = Object.assign({}, DEFAULTS); update(true); }, 0); });
  function onPager(ev) {
    var b = ev.target.closest("button[data-page]");
    if (!b || b.disabled) return;
    state.page = parseInt(b.dataset.page, 10);
    update(false);
    byId("controls").scrollIntoView();
  }
  byId("pager").addEventListener("click", onPager);
  byId("pager-bottom").addEventListener("click", onPager);
  var list = byId("records");
  list.addEventListener("click", function (ev) {
    var m = ev.target.closest("mark.ent");
    if (m) showDetails(m);
  });
  list.addEventListener("keydown", function (ev) {
    var m = ev.target.closest("mark.ent");
    if (m && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); showDetails(m); }
  });
  window.addEventListener("hashchange", function () { readHash(); filter(); render(); byId("controls").scrollIntoView(); });

  var started = performance.now();
  fillOptions();
  readHash();
  filter();
  render();
  document.body.dataset.ready = "1";
  document.body.dataset.renderMs = String(Math.round(performance.now() - started));
})();
