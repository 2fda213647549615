// Browser side of the topictag report: the topic map and the documents table.
// Everything works offline from the JSON in #report-data; all data reaches the page as text
// (textContent / setAttribute), never as markup.
(() => {
  "use strict";

  const SVG_NS = "http://www.w3.org/2000/svg";
  const MAP_W = 1000;
  const MAP_H = 700;
  const PAGE_SIZE = 50;
  const LABEL_FONT = 13;
  const LABEL_MAX_CHARS = 40;

  // Errors are counted on <body> so a test (or a curious reader) can see whether the page
  // broke without opening the console.
  let errorCount = 0;
  const countError = (err) => {
    errorCount += 1;
    if (document.body) document.body.dataset.errors = String(errorCount);
    console.error("report:", err);
  };
  window.addEventListener("error", (e) => countError(e.error || e.message));
  window.addEventListener("unhandledrejection", (e) => countError(e.reason));

  const fmt = (n) => n.toLocaleString("en-US");
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  };

  function readData() {
    const node = document.getElementById("report-data");
    if (!node) return null;
    try {
      return JSON.parse(node.textContent);
    } catch (err) {
      countError(err);
      return null;
    }
  }

  // The hash "#documents?topic=N" is the one way to filter by topic, so links, map clicks and
  // the back button all agree; "#documents?q=words" (alone or with a topic) fills the search
  // box, so a search can be linked to. Returns undefined for hashes that are not about the
  // table (they leave the filter alone), else { topic: N or null, query: text or null }.
  function tableStateFromHash() {
    let hash = location.hash.slice(1);
    try {
      hash = decodeURIComponent(hash);
    } catch (_) {
      // A malformed escape (a hand-edited address) is read as it stands.
    }
    const q = hash.indexOf("?");
    if ((q < 0 ? hash : hash.slice(0, q)) !== "documents") return undefined;
    const params = new URLSearchParams(q < 0 ? "" : hash.slice(q + 1));
    const value = params.get("topic");
    return {
      topic: value !== null && /^-?\d+$/.test(value) ? Number(value) : null,
      query: params.get("q"),
    };
  }

  function showTopic(topic) {
    const hash = "#documents?topic=" + topic;
    // Setting the same hash again fires no hashchange, so apply it directly then.
    if (location.hash === hash) applyHash();
    else location.hash = hash;
  }

  let table = null;

  function applyHash() {
    const wanted = tableStateFromHash();
    if (wanted === undefined || !table) return;
    if (wanted.query !== null) table.setQuery(wanted.query);
    table.setTopic(wanted.topic);
    // No element has the id "documents?topic=N", so the browser does not scroll by itself.
    const section = document.getElementById("documents");
    if (section) section.scrollIntoView({ block: "start" });
  }

  // ---------------------------------------------------------------- map

  function drawMap(data) {
    const plot = document.getElementById("map-plot");
    const map = data.map;
    if (!plot || !map || !Array.isArray(map.points)) return;
    const topics = Array.isArray(data.topics) ? data.topics : [];
    const titles = Array.isArray(map.titles) ? map.titles : [];
    const points = map.points;
    const colorOf = (t) => (topics[t] && topics[t].color) || "#777";
    const labelOf = (t) => (topics[t] && topics[t].label) || "";

    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", `0 0 ${MAP_W} ${MAP_H}`);
    svg.setAttribute("width", MAP_W);
    svg.setAttribute("height", MAP_H);
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", `Map of ${fmt(points.length)} documents in ${topics.filter(Boolean).length} topics`);

    // Dots shrink as the map fills up: about 4 at 100 points, 1.2 at 30,000 (a power law
    // through both), so dense maps stay readable and sparse ones visible.
    const radius = Math.min(4, Math.max(1.2, 4 * Math.pow(Math.max(points.length, 1) / 100, -0.211)));
    const r = radius.toFixed(2);

    // One fragment, one insertion: the page has to stay quick with 30,000 points.
    const dots = document.createElementNS(SVG_NS, "g");
    dots.setAttribute("class", "points");
    const frag = document.createDocumentFragment();
    for (let i = 0; i < points.length; i++) {
      const p = points[i];
      if (!Array.isArray(p) || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) continue;
      const c = document.createElementNS(SVG_NS, "circle");
      c.setAttribute("class", "point");
      c.setAttribute("cx", p[0]);
      c.setAttribute("cy", p[1]);
      c.setAttribute("r", r);
      c.setAttribute("fill", colorOf(p[2]));
      c.setAttribute("data-i", i);
      frag.appendChild(c);
    }
    dots.appendChild(frag);
    svg.appendChild(dots);

    const labels = document.createElementNS(SVG_NS, "g");
    labels.setAttribute("class", "labels");
    svg.appendChild(labels);
    plot.replaceChildren(svg);
    placeLabels(labels, topics, Array.isArray(map.centers) ? map.centers : []);

    // One tooltip for the whole map, found from the event target, instead of a <title>
    // per circle: 30,000 extra nodes would cost more than the dots themselves.
    const tip = el("div", "map-tip");
    tip.hidden = true;
    plot.appendChild(tip);

    const showTip = (event, heading, topic) => {
      const swatch = el("span", "swatch");
      swatch.style.backgroundColor = colorOf(topic);
      const line = el("div", "map-tip-topic");
      line.append(swatch, `Topic ${topic}: ${labelOf(topic)}`);
      tip.replaceChildren(el("div", "map-tip-title", heading), line);
      tip.hidden = false;
      moveTip(event);
    };
    const moveTip = (event) => {
      if (tip.hidden) return;
      const box = plot.getBoundingClientRect();
      const x = event.clientX - box.left;
      const y = event.clientY - box.top;
      // Flip to the left of the pointer near the right edge so the tip is never cut off.
      const left = x + 14 + tip.offsetWidth > box.width ? x - 14 - tip.offsetWidth : x + 14;
      tip.style.left = Math.max(0, left) + "px";
      tip.style.top = y + 14 + "px";
    };

    const targetOf = (event) => {
      const node = event.target;
      if (node.classList.contains("point")) {
        const p = points[Number(node.getAttribute("data-i"))];
        return { topic: p[2], heading: titles[p[3]] ?? "" };
      }
      const label = node.closest && node.closest(".topic-label");
      if (label) {
        const topic = Number(label.getAttribute("data-topic"));
        const size = topics[topic] && topics[topic].size;
        return { topic, heading: Number.isFinite(size) ? `${fmt(size)} documents` : "" };
      }
      return null;
    };

    svg.addEventListener("pointerover", (event) => {
      const hit = targetOf(event);
      if (hit) showTip(event, hit.heading, hit.topic);
      else tip.hidden = true;
    });
    svg.addEventListener("pointermove", moveTip);
    svg.addEventListener("pointerleave", () => { tip.hidden = true; });
    svg.addEventListener("click", (event) => {
      const hit = targetOf(event);
      if (hit && Number.isInteger(hit.topic)) showTopic(hit.topic);
    });
    labels.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      const label = event.target.closest(".topic-label");
      if (!label) return;
      event.preventDefault();
      showTopic(Number(label.getAttribute("data-topic")));
    });
  }

  function shortLabel(text) {
    if (text.length <= LABEL_MAX_CHARS) return text;
    // Prefer cutting between terms ("a, b, c") over cutting inside one.
    const cut = text.lastIndexOf(", ", LABEL_MAX_CHARS - 1);
    return cut > 10 ? text.slice(0, cut) + ", …" : text.slice(0, LABEL_MAX_CHARS - 1) + "…";
  }

  // Greedy placement: the biggest topics are placed first at their centres; each later label
  // is nudged down/up in small steps until its box clears every label already placed.
  function placeLabels(group, topics, centers) {
    const items = [];
    topics.forEach((topic, id) => {
      const c = centers[id];
      if (!topic || !topic.size || !Array.isArray(c) || !Number.isFinite(c[0]) || !Number.isFinite(c[1])) return;
      const text = document.createElementNS(SVG_NS, "text");
      text.setAttribute("class", "topic-label");
      text.setAttribute("data-topic", id);
      text.setAttribute("text-anchor", "middle");
      text.setAttribute("dominant-baseline", "central");
      text.setAttribute("tabindex", "0");
      text.setAttribute("role", "link");
      text.setAttribute("aria-label", `Show the documents of topic ${id}: ${topic.label || ""}`);
      text.textContent = shortLabel(String(topic.label || `Topic ${id}`));
      group.appendChild(text);
      items.push({ id, size: topic.size, cx: c[0], cy: c[1], text });
    });

    // Measure all labels first (one layout for all), estimating when there is no layout
    // (for instance a hidden section, where getBBox gives zeros).
    const pad = 3;
    for (const item of items) {
      let box = null;
      try { box = item.text.getBBox(); } catch (_) { box = null; }
      if (!box || box.width === 0) {
        const w = item.text.textContent.length * LABEL_FONT * 0.6;
        box = { x: -w / 2, y: -LABEL_FONT * 0.6, width: w, height: LABEL_FONT * 1.2 };
      }
      item.dx = box.x - pad;
      item.dy = box.y - pad;
      item.w = box.width + 2 * pad;
      item.h = box.height + 2 * pad;
    }

    items.sort((a, b) => b.size - a.size || a.id - b.id);
    const placed = [];
    const clampX = (item, x) => Math.min(Math.max(x, -item.dx), MAP_W - item.dx - item.w);
    const clampY = (item, y) => Math.min(Math.max(y, -item.dy), MAP_H - item.dy - item.h);
    const overlap = (a, b) =>
      Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) *
      Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));

    for (const item of items) {
      const x = clampX(item, item.cx);
      const step = item.h / 2;
      let best = null;
      for (let k = 0; k <= 80; k++) {
        // 0, +1, -1, +2, -2, ... steps: the label stays as close to its centre as it can.
        const offset = (k % 2 ? 1 : -1) * Math.ceil(k / 2) * step;
        const y = clampY(item, item.cy + offset);
        const box = { x: x + item.dx, y: y + item.dy, w: item.w, h: item.h };
        const area = placed.reduce((sum, other) => sum + overlap(box, other), 0);
        if (!best || area < best.area) best = { x, y, box, area };
        if (area === 0) break;
      }
      placed.push(best.box);
      item.text.setAttribute("x", best.x.toFixed(1));
      item.text.setAttribute("y", best.y.toFixed(1));
    }
  }

  // ---------------------------------------------------------------- documents table

  function setupTable(data) {
    const docs = data.documents;
    const tableNode = document.getElementById("doc-table");
    const tbody = tableNode && tableNode.tBodies[0];
    if (!docs || !Array.isArray(docs.rows) || !tbody) return null;

    const rows = docs.rows;
    const columns = Array.isArray(docs.columns) ? docs.columns : [];
    const col = (name, fallback) => (columns.includes(name) ? columns.indexOf(name) : fallback);
    const TOPIC = col("topic", 2);
    const SCORE = col("score", 4);
    const searched = [col("id", 0), col("title", 1), col("topic_label", 3), col("tags", 5)];
    const topics = Array.isArray(data.topics) ? data.topics : [];
    const total = Number.isFinite(docs.total) ? docs.total : rows.length;

    // The header decides which columns are shown and in what order (data-key = column index).
    const headers = Array.from(tableNode.querySelectorAll("thead th[data-key]"));
    const keys = headers.length ? headers.map((th) => Number(th.dataset.key)) : [0, 1, 2, 4, 5];

    const search = document.getElementById("doc-search");
    const clear = document.getElementById("doc-clear");
    const count = document.getElementById("doc-count");
    const pager = document.getElementById("doc-pages");

    const state = { topic: null, query: search ? search.value.trim().toLowerCase() : "", key: null, dir: 1, page: 0 };
    let haystack = null; // lower-cased search text per row, built on the first search
    let sorted = null; // row indices in the current sort order, rebuilt only when it changes
    let view = [];

    const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
    function sortOrder() {
      if (sorted) return sorted;
      const order = rows.map((_, i) => i);
      if (state.key !== null) {
        const k = state.key;
        const dir = state.dir;
        order.sort((a, b) => {
          const x = rows[a][k];
          const y = rows[b][k];
          // Missing values (a document without terms has no score) go last either way.
          const xMissing = x == null || x === "";
          const yMissing = y == null || y === "";
          if (xMissing || yMissing) return xMissing - yMissing;
          const c = typeof x === "number" && typeof y === "number" ? x - y : collator.compare(String(x), String(y));
          return c * dir;
        });
      }
      sorted = order;
      return sorted;
    }

    function refilter() {
      const q = state.query;
      if (q && !haystack) {
        haystack = rows.map((row) => searched.map((k) => (row[k] == null ? "" : String(row[k]))).join("\n").toLowerCase());
      }
      view = sortOrder().filter((i) => (state.topic === null || rows[i][TOPIC] === state.topic) && (!q || haystack[i].includes(q)));
    }

    function cell(row, key) {
      const td = document.createElement("td");
      const value = row[key];
      if (key === TOPIC) {
        td.className = "num topic-cell";
        const topic = topics[value];
        if (topic) {
          const swatch = el("span", "swatch");
          swatch.style.backgroundColor = topic.color || "#777";
          td.append(swatch, String(value));
          td.title = topic.label || "";
        } else {
          td.textContent = value === -1 ? "none" : String(value ?? "");
          if (value === -1) td.title = "no topic: the document has no terms";
        }
      } else if (key === SCORE) {
        td.className = "num";
        td.textContent = typeof value === "number" ? value.toFixed(4) : "";
      } else {
        td.textContent = value == null ? "" : String(value);
      }
      return td;
    }

    const pageCount = () => Math.max(1, Math.ceil(view.length / PAGE_SIZE));

    function render() {
      state.page = Math.min(Math.max(state.page, 0), pageCount() - 1);
      const frag = document.createDocumentFragment();
      const start = state.page * PAGE_SIZE;
      for (const i of view.slice(start, start + PAGE_SIZE)) {
        const row = rows[i];
        const tr = document.createElement("tr");
        tr.dataset.topic = String(row[TOPIC]);
        for (const key of keys) tr.appendChild(cell(row, key));
        frag.appendChild(tr);
      }
      tbody.replaceChildren(frag);

      if (count) {
        let text = `${fmt(view.length)} of ${fmt(rows.length)} documents`;
        if (state.topic !== null) {
          const label = topics[state.topic] && topics[state.topic].label;
          text += ` in topic ${state.topic}` + (label ? ` — ${label}` : "");
        }
        if (view.length === 0) text += "; none match";
        if (rows.length < total) {
          text += ` (the first ${fmt(rows.length)} of ${fmt(total)} are in this page; documents.csv has all)`;
        }
        count.textContent = text;
      }
      if (clear) clear.disabled = state.topic === null;
      if (pager) updatePager();
      headers.forEach((th) => {
        const active = Number(th.dataset.key) === state.key;
        th.setAttribute("aria-sort", active ? (state.dir > 0 ? "ascending" : "descending") : "none");
        th.querySelector(".sort-arrow").textContent = active ? (state.dir > 0 ? " ▲" : " ▼") : "";
      });
    }

    // Pager: built once, then only its text and disabled states change.
    const pageButtons = {};
    let pageText = null;
    if (pager) {
      pager.setAttribute("aria-label", "Document pages");
      const make = (name, text) => {
        const b = el("button", "page-" + name, text);
        b.type = "button";
        b.addEventListener("click", () => {
          const last = pageCount() - 1;
          state.page = { first: 0, prev: state.page - 1, next: state.page + 1, last }[name];
          render();
        });
        pageButtons[name] = b;
        return b;
      };
      pageText = el("span", "page-of");
      pager.replaceChildren(make("first", "« First"), make("prev", "‹ Prev"), pageText, make("next", "Next ›"), make("last", "Last »"));
    }
    function updatePager() {
      const last = pageCount() - 1;
      pageText.textContent = `page ${fmt(state.page + 1)} of ${fmt(last + 1)}`;
      pageButtons.first.disabled = pageButtons.prev.disabled = state.page === 0;
      pageButtons.next.disabled = pageButtons.last.disabled = state.page >= last;
    }

    headers.forEach((th) => {
      th.appendChild(el("span", "sort-arrow"));
      if (Number(th.dataset.key) === TOPIC || Number(th.dataset.key) === SCORE) th.classList.add("num");
      th.tabIndex = 0;
      const sortBy = () => {
        const key = Number(th.dataset.key);
        state.dir = state.key === key ? -state.dir : 1;
        state.key = key;
        state.page = 0;
        sorted = null;
        refilter();
        render();
      };
      th.addEventListener("click", sortBy);
      th.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          sortBy();
        }
      });
    });

    if (search) {
      // Debounced: filtering 20,000 rows on every keystroke would make typing stutter.
      let timer = 0;
      search.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          state.query = search.value.trim().toLowerCase();
          state.page = 0;
          refilter();
          render();
        }, 150);
      });
    }

    const setTopic = (topic) => {
      state.topic = topic;
      state.page = 0;
      refilter();
      render();
    };

    if (clear) {
      clear.addEventListener("click", () => {
        // Drop the hash without a jump; pushState keeps the filter one "back" away.
        try {
          history.pushState(null, "", location.pathname + location.search);
        } catch (_) {
          location.hash = "documents";
        }
        setTopic(null);
      });
    }

    const setQuery = (query) => {
      if (search) search.value = query;
      state.query = query.trim().toLowerCase();
      state.page = 0;
    };

    refilter();
    render();
    return { setTopic, setQuery };
  }

  // ---------------------------------------------------------------- start

  function start() {
    document.body.dataset.errors = String(errorCount);
    const data = readData();
    if (data) {
      // Each part runs on its own: a failure in one still leaves the other usable.
      for (const part of [drawMap, (d) => { table = setupTable(d); }]) {
        try {
          part(data);
        } catch (err) {
          countError(err);
        }
      }
    }

    // A filter link whose hash is already current fires no hashchange; apply it directly.
    document.addEventListener("click", (event) => {
      const link = event.target.closest && event.target.closest('a[href^="#documents"]');
      if (link && link.hash === location.hash) {
        event.preventDefault();
        applyHash();
      }
    });
    window.addEventListener("hashchange", applyHash);
    if (tableStateFromHash() !== undefined) applyHash();
    document.body.dataset.ready = "1";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
