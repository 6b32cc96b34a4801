// The issue editor of `bulletin-print serve`: the form, drag and drop, pasting, the live preview,
// saving. Plain JavaScript, no library. Every text an editor typed is put in the page as text
// (textContent, value), never as HTML.
"use strict";
(function () {
  const token = document.querySelector('meta[name="token"]').content;
  const form = document.getElementById("form");
  const boot = JSON.parse(form.dataset.boot);
  const file = boot.file;
  const pub = boot.publication || {};
  let version = boot.version;
  let issue = boot.issue;
  let dirty = false;
  let leads = {};
  let problems = [];
  let focusText = "";
  const storeKey = "bulletin-print:draft:" + file;

  // ---- small helpers ------------------------------------------------------------------------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "value") el.value = v;
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  async function post(url, data) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Bulletin-Token": token },
      body: JSON.stringify(data),
    });
    let answer = {};
    try { answer = await response.json(); } catch (e) { answer = { error: "服务器无应答 (no answer)" }; }
    return { ok: response.ok, status: response.status, answer };
  }

  const status = document.getElementById("status");
  const notice = document.getElementById("notice");
  function say(text, kind) {
    notice.hidden = !text;
    notice.className = "notice " + (kind || "");
    notice.replaceChildren(text || "");
  }

  // ---- unsaved input: kept in this browser until saved ---------------------------------------

  function changed(structural) {
    dirty = true;
    try {
      localStorage.setItem(storeKey, JSON.stringify({ version, issue, at: new Date().toISOString() }));
      status.textContent = "有未保存的修改（已暂存在本浏览器中）";
    } catch (e) {
      status.textContent = "有未保存的修改（浏览器无法暂存，请尽快保存）";
    }
    status.className = "status dirty";
    if (structural) render();
    schedulePreview();
  }

  function restoreDraft() {
    let draft = null;
    try { draft = JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { draft = null; }
    if (!draft) return;
    if (draft.version === version) {
      issue = draft.issue;
      dirty = true;
      status.textContent = "有未保存的修改（已暂存在本浏览器中）";
      status.className = "status dirty";
      say("已恢复上次未保存的修改（" + draft.at + "）。", "info");
      const discard = h("button", { type: "button", id: "discard", onclick: () => {
        localStorage.removeItem(storeKey); location.reload(); } }, "放弃这些修改");
      notice.append(" ", discard);
    } else {
      say("本浏览器中暂存的修改（" + draft.at + "）是基于该文件的旧版本，文件已在磁盘上改动，未自动恢复。", "warn");
      const keep = h("button", { type: "button", onclick: () => {
        const blob = new Blob([JSON.stringify(draft.issue, null, 2)], { type: "application/json" });
        const a = h("a", { href: URL.createObjectURL(blob), download: file.replace(/\W+/g, "-") + "-draft.json" });
        a.click(); } }, "下载暂存的修改");
      notice.append(" ", keep);
    }
  }

  window.addEventListener("beforeunload", (event) => {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });

  // ---- the form -----------------------------------------------------------------------------

  function textInput(label, field, get, set, opts) {
    opts = opts || {};
    const input = h(opts.area ? "textarea" : "input", {
      "data-field": field, class: opts.cls || "", placeholder: opts.placeholder || "",
      type: opts.area ? undefined : (opts.type || "text"), rows: opts.rows,
      value: get() === undefined || get() === null ? "" : String(get()),
      oninput: (e) => { set(e.target.value); if (opts.area) grow(e.target); changed(false); },
      onfocus: (e) => { focusText = e.target.value; },
    });
    if (opts.area) requestAnimationFrame(() => grow(input));
    return h("label", { class: "field " + (opts.wide ? "wide" : "") }, h("span", { class: "label" }, label), input);
  }

  function grow(area) {
    area.style.height = "auto";
    area.style.height = area.scrollHeight + 2 + "px";
  }

  function pubOrIssue(key, label, field) {
    // A key the publication gives: the issue overrides it only when something is typed here.
    return textInput(label, field || key, () => issue[key], (v) => {
      if (v === "") delete issue[key]; else issue[key] = v;
    }, { placeholder: pub[key] !== undefined ? String(pub[key]) + "（刊物默认）" : "" });
  }

  function masthead() {
    const editions = Array.isArray(pub.editions) ? pub.editions : ["普刊", "增刊", "专刊"];
    const edition = h("select", { "data-field": "edition", onchange: (e) => { issue.edition = e.target.value; changed(false); } },
      editions.map((name) => h("option", { value: name, selected: issue.edition === name }, name)));
    const number = (key, label) => textInput(label, key, () => issue[key], (v) => {
      const n = Number(v); issue[key] = v !== "" && Number.isInteger(n) ? n : v; }, { type: "number", cls: "short" });
    return h("fieldset", { class: "masthead", id: "masthead" }, h("legend", {}, "刊头"),
      pubOrIssue("title", "刊名"), pubOrIssue("compiler", "编印单位"),
      h("label", { class: "field" }, h("span", { class: "label" }, "刊别"), edition),
      number("number", "期"), number("total", "总第"),
      textInput("日期", "date", () => issue.date, (v) => { issue.date = v; }, { type: "date" }),
      optional(issue, "topic", "专刊主题（刊别下一行）", "topic"),
      pubOrIssue("secrecy", "密级（如 秘密★1年）"), pubOrIssue("notice", "提示（如 内部资料　注意保存）"));
  }

  // A key written only when something is typed: emptied, it is taken out of the file again.
  function optional(obj, key, label, field, opts) {
    return textInput(label, field, () => obj[key], (v) => { if (v === "") delete obj[key]; else obj[key] = v; }, opts);
  }

  function noteSection() {
    return h("fieldset", { class: "note", id: "note" }, h("legend", {}, "编者按"),
      optional(issue, "note", "编者按（排在目录之后、第一篇文章之前，楷体）", "note", { area: true, rows: 3, wide: true }));
  }

  const KNOWN_ARTICLE = new Set(["__id", "title", "subtitle", "note", "paragraphs", "attribution"]);

  function titleOf(article) {
    return Array.isArray(article.title) ? article.title.join("\n") : (article.title || "");
  }

  function setTitle(article, value) {
    const lines = value.split("\n").map((l) => l.trim()).filter((l) => l !== "");
    if (Array.isArray(article.title) || lines.length > 1) article.title = lines;
    else article.title = lines[0] || "";
  }

  function paragraphText(p) { return typeof p === "string" ? p : (p && typeof p.text === "string" ? p.text : ""); }

  function leadMode(p) {
    if (typeof p === "string" || p.lead === undefined || p.lead === null) return "auto";
    return p.lead === false || p.lead === "" ? "none" : "custom";
  }

  function removeButton(article, p, label) {
    return h("button", { type: "button", class: "small remove-para", title: "删去这一项",
      onclick: () => { article.paragraphs.splice(p, 1); changed(true); } }, label);
  }

  // A photo among the paragraphs: its file (in the issue's folder), caption and width.
  function imageEditor(article, field, item, p) {
    const width = h("select", { "data-field": field + ".width", onchange: (e) => {
      if (e.target.value === "full") delete item.width; else item.width = e.target.value; changed(false); } },
      h("option", { value: "full", selected: item.width !== "half" }, "通栏"),
      h("option", { value: "half", selected: item.width === "half" }, "半栏"));
    return h("div", { class: "paragraph figure-item" },
      textInput("图片文件（与本期文件同一文件夹）", field + ".image", () => item.image, (v) => { item.image = v; }, { wide: true }),
      optional(item, "caption", "图题（图下居中，楷体）", field + ".caption", { wide: true }),
      h("div", { class: "para-tools" }, h("label", { class: "field" }, h("span", { class: "label" }, "宽度"), width),
        removeButton(article, p, "删去图片")));
  }

  // A table among the paragraphs: a row a line, its cells parted by a tab or「|」 (a table
  // copied from Excel or WPS comes with tabs); a cell that is a number is kept a number.
  function cellOf(text) {
    const t = text.trim();
    return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
  }

  function tableEditor(article, field, item, p) {
    const rows = Array.isArray(item.table) ? item.table : [];
    const text = rows.map((row) => (Array.isArray(row) ? row : []).map((cell) => String(cell)).join(" | ")).join("\n");
    const area = h("textarea", { class: "table-rows", "data-field": field + ".table", rows: Math.max(3, rows.length), value: text,
      oninput: (e) => {
        item.table = e.target.value.split("\n").filter((line) => line.trim() !== "")
          .map((line) => line.split(/\t|[|｜]/).map(cellOf));
        grow(e.target); changed(false); } });
    requestAnimationFrame(() => grow(area));
    const header = h("input", { type: "checkbox", "data-field": field + ".header", checked: item.header === true,
      onchange: (e) => { if (e.target.checked) item.header = true; else delete item.header; changed(false); } });
    return h("div", { class: "paragraph table-item" },
      optional(item, "caption", "表题（表上居中）", field + ".caption", { wide: true }),
      h("label", { class: "field wide" }, h("span", { class: "label" }, "表格（每行一行，单元格以 | 或 Tab 隔开）"), area),
      h("div", { class: "para-tools" }, h("label", { class: "check" }, header, "首行为表头（黑体）"),
        removeButton(article, p, "删去表格")));
  }

  function paragraphEditor(article, c, a, p) {
    const field = `columns[${c}].articles[${a}].paragraphs[${p}]`;
    const para = article.paragraphs[p];
    if (para && typeof para === "object" && "image" in para) return imageEditor(article, field, para, p);
    if (para && typeof para === "object" && "table" in para) return tableEditor(article, field, para, p);
    const area = h("textarea", {
      class: "para", "data-field": field, rows: 3, value: paragraphText(para),
      oninput: (e) => {
        const old = article.paragraphs[p];
        if (typeof old === "string" || old === undefined) article.paragraphs[p] = e.target.value;
        else old.text = e.target.value;
        focusText = e.target.value; grow(e.target); changed(false);
      },
      onfocus: (e) => { focusText = e.target.value; },
      onpaste: (e) => pasteInto(e, article, p),
    });
    requestAnimationFrame(() => grow(area));
    const mode = leadMode(para);
    const custom = h("input", { type: "text", class: "lead-text", "data-field": field + ".lead",
      value: mode === "custom" ? para.lead : "", hidden: mode !== "custom", placeholder: "该段开头的原文",
      oninput: (e) => { article.paragraphs[p].lead = e.target.value; changed(false); } });
    const select = h("select", { class: "lead-mode", title: "引导句", onchange: (e) => {
      let cur = article.paragraphs[p];
      if (typeof cur === "string") cur = article.paragraphs[p] = { text: cur };
      if (e.target.value === "auto") delete cur.lead;
      else if (e.target.value === "none") cur.lead = false;
      else cur.lead = custom.value || leads[field] || "";
      changed(true); } },
      h("option", { value: "auto", selected: mode === "auto" }, "引导句：自动"),
      h("option", { value: "none", selected: mode === "none" }, "引导句：无"),
      h("option", { value: "custom", selected: mode === "custom" }, "引导句：指定"));
    const lead = h("span", { class: "lead", "data-lead": field }, leads[field] ? "引导句：" + leads[field] : "");
    return h("div", { class: "paragraph" }, area,
      h("div", { class: "para-tools" }, select, custom, lead, removeButton(article, p, "删段")));
  }

  function articleCard(column, c, a) {
    const article = column.articles[a];
    const base = `columns[${c}].articles[${a}]`;
    if (!Array.isArray(article.paragraphs)) article.paragraphs = [];
    const others = Object.keys(article).filter((k) => !KNOWN_ARTICLE.has(k));
    const card = h("div", { class: "article", "data-field": base, "data-col": c, "data-index": a },
      h("div", { class: "article-head" },
        h("span", { class: "handle", title: "拖动以调整顺序" }, "⠿ 拖动"),
        h("span", { class: "article-no" }, `第 ${a + 1} 篇`),
        h("button", { type: "button", class: "small remove-article", onclick: () => {
          if (confirm("删去这篇文章？")) { column.articles.splice(a, 1); changed(true); } } }, "删去文章")),
      textInput("标题（每行一行；只写一行则自动断行）", base + ".title", () => titleOf(article),
        (v) => setTitle(article, v), { area: true, rows: 2, cls: "title", wide: true }),
      optional(article, "subtitle", "副题（标题下，前加「——」）", base + ".subtitle", { cls: "subtitle", wide: true }),
      optional(article, "note", "按语（标题与正文之间，楷体）", base + ".note", { area: true, rows: 2, cls: "note", wide: true }),
      h("div", { class: "paragraphs", "data-field": base + ".paragraphs" },
        article.paragraphs.map((_, p) => paragraphEditor(article, c, a, p))),
      h("div", { class: "paste-offer", hidden: true }),
      h("button", { type: "button", class: "small add-para", onclick: () => { article.paragraphs.push(""); changed(true); } }, "加一段"),
      h("button", { type: "button", class: "small add-image", onclick: () => {
        article.paragraphs.push({ image: "" }); changed(true); } }, "加图片"),
      h("button", { type: "button", class: "small add-table", onclick: () => {
        article.paragraphs.push({ table: [["", ""]], header: true }); changed(true); } }, "加表格"),
      textInput("署名（单位 姓名）", base + ".attribution", () => article.attribution, (v) => {
        if (v === "") delete article.attribution; else article.attribution = v; }, { cls: "attribution", wide: true }),
      others.length ? h("p", { class: "others" }, "其他字段（原样保留）：" + others.join("、")) : null);
    card.querySelector(".handle").addEventListener("pointerdown", (e) => startDrag(e, card));
    return card;
  }

  function columnsSection() {
    if (!Array.isArray(issue.columns)) issue.columns = [];
    const section = h("fieldset", { class: "columns", id: "columns" }, h("legend", {}, "栏目与文章"));
    issue.columns.forEach((column, c) => {
      if (!Array.isArray(column.articles)) column.articles = [];
      const move = (d) => () => {
        const to = c + d;
        if (to < 0 || to >= issue.columns.length) return;
        [issue.columns[c], issue.columns[to]] = [issue.columns[to], issue.columns[c]];
        changed(true);
      };
      section.append(h("div", { class: "column", "data-field": `columns[${c}]` },
        h("div", { class: "column-head" },
          textInput("栏目", `columns[${c}].name`, () => column.name, (v) => { column.name = v; }, { cls: "column-name" }),
          h("button", { type: "button", class: "small", title: "上移栏目", onclick: move(-1) }, "↑"),
          h("button", { type: "button", class: "small", title: "下移栏目", onclick: move(1) }, "↓"),
          h("button", { type: "button", class: "small", onclick: () => {
            if (confirm("删去这个栏目及其文章？")) { issue.columns.splice(c, 1); changed(true); } } }, "删去栏目")),
        h("div", { class: "articles", "data-col": c }, column.articles.map((_, a) => articleCard(column, c, a))),
        h("button", { type: "button", class: "add-article", "data-col": c, onclick: () => {
          column.articles.push({ title: "", paragraphs: [""], attribution: "" });
          changed(true);
          const cards = form.querySelectorAll(`.articles[data-col="${c}"] .article`);
          const last = cards[cards.length - 1];
          if (last) { last.scrollIntoView({ block: "center" }); last.querySelector("textarea").focus(); } } }, "加一篇文章")));
    });
    section.append(h("button", { type: "button", class: "add-column", onclick: () => {
      issue.columns.push({ name: "", articles: [] }); changed(true); } }, "加一个栏目"));
    return section;
  }

  function briefsSection() {
    const briefs = issue.briefs;
    const section = h("fieldset", { class: "briefs", id: "briefs" }, h("legend", {}, "信息摘登"));
    if (!briefs) {
      section.append(h("button", { type: "button", onclick: () => { issue.briefs = { column: "信息摘登", items: [{ text: "", attribution: "" }] }; changed(true); } }, "加信息摘登"));
      return section;
    }
    if (!Array.isArray(briefs.items)) briefs.items = [];
    section.append(textInput("栏目名", "briefs.column", () => briefs.column, (v) => { if (v === "") delete briefs.column; else briefs.column = v; }, { placeholder: "信息摘登" }));
    briefs.items.forEach((item, i) => {
      section.append(h("div", { class: "brief", "data-field": `briefs.items[${i}]` },
        textInput(`第 ${i + 1} 条`, `briefs.items[${i}].text`, () => item.text, (v) => { item.text = v; }, { area: true, rows: 3, wide: true }),
        textInput("署名", `briefs.items[${i}].attribution`, () => item.attribution, (v) => { if (v === "") delete item.attribution; else item.attribution = v; }),
        h("button", { type: "button", class: "small", onclick: () => { briefs.items.splice(i, 1); changed(true); } }, "删去此条")));
    });
    section.append(h("button", { type: "button", onclick: () => { briefs.items.push({ text: "", attribution: "" }); changed(true); } }, "加一条"));
    return section;
  }

  function colophonSection() {
    const printRun = textInput("共印份数", "print_run", () => issue.print_run, (v) => {
      const n = Number(v); if (v === "") delete issue.print_run; else issue.print_run = Number.isInteger(n) ? n : v; },
      { type: "number", cls: "short" });
    const section = h("fieldset", { class: "colophon", id: "colophon" }, h("legend", {}, "版记"),
      textInput("本期责任编辑", "editor", () => issue.editor, (v) => { issue.editor = v; }),
      pubOrIssue("phone", "电话"), printRun);
    const signoff = Array.isArray(issue.signoff) ? issue.signoff : [];
    signoff.forEach((line, i) => {
      section.append(h("div", { class: "signoff", "data-field": `signoff[${i}]` },
        textInput("签发/核稿/编校", `signoff[${i}].label`, () => line.label, (v) => { line.label = v; }, { cls: "short" }),
        textInput("姓名", `signoff[${i}].text`, () => line.text, (v) => { line.text = v; }),
        h("button", { type: "button", class: "small", onclick: () => {
          signoff.splice(i, 1); if (!signoff.length) delete issue.signoff; changed(true); } }, "删去")));
    });
    section.append(h("button", { type: "button", class: "add-signoff", onclick: () => {
      const label = ["签发", "核稿", "编校"][signoff.length] || "签发";
      issue.signoff = [...signoff, { label, text: "" }]; changed(true); } }, "加签发/核稿/编校行"));
    if (Array.isArray(issue.distribution)) {
      issue.distribution.forEach((line, i) => {
        section.append(h("div", { class: "distribution", "data-field": `distribution[${i}]` },
          textInput("送/发", `distribution[${i}].label`, () => line.label, (v) => { line.label = v; }, { cls: "short" }),
          textInput("范围", `distribution[${i}].text`, () => line.text, (v) => { line.text = v; }, { wide: true }),
          h("button", { type: "button", class: "small", onclick: () => { issue.distribution.splice(i, 1); changed(true); } }, "删去")));
      });
      section.append(h("button", { type: "button", onclick: () => { issue.distribution.push({ label: "发", text: "" }); changed(true); } }, "加一行"));
    } else {
      const lines = Array.isArray(pub.distribution) ? pub.distribution : [];
      section.append(h("div", { class: "inherited" }, "送发范围（刊物默认）：",
        lines.map((l) => h("div", {}, `${l.label}：${l.text}`))));
      section.append(h("button", { type: "button", onclick: () => {
        issue.distribution = lines.map((l) => ({ label: l.label, text: l.text })); changed(true); } }, "本期另设送发范围"));
    }
    return section;
  }

  function render() {
    const scroll = form.scrollTop;
    form.replaceChildren(masthead(), noteSection(), columnsSection(), briefsSection(), colophonSection());
    form.scrollTop = scroll;
    showProblems();
  }

  // ---- dragging articles, within a 栏目 and across ------------------------------------------

  let drag = null;

  function startDrag(event, card) {
    event.preventDefault();
    const placeholder = h("div", { class: "placeholder" }, "放到这里");
    // While an article is held, every article shows only its title, so that all fit on screen;
    // the held one stays under the pointer.
    const top = card.getBoundingClientRect().top;
    form.classList.add("sorting");
    form.scrollTop += card.getBoundingClientRect().top - top;
    card.classList.add("dragging");
    card.after(placeholder);
    drag = { card, placeholder, col: Number(card.dataset.col), index: Number(card.dataset.index) };
    document.addEventListener("pointermove", moveDrag);
    document.addEventListener("pointerup", endDrag, { once: true });
  }

  function moveDrag(event) {
    if (!drag) return;
    const rect = form.getBoundingClientRect();
    if (event.clientY < rect.top + 40) form.scrollTop -= 20;
    else if (event.clientY > rect.bottom - 40) form.scrollTop += 20;
    const under = document.elementFromPoint(event.clientX, event.clientY);
    if (!under) return;
    const target = under.closest(".article");
    if (target && target !== drag.card) {
      const r = target.getBoundingClientRect();
      if (event.clientY < r.top + r.height / 2) target.before(drag.placeholder);
      else target.after(drag.placeholder);
      return;
    }
    const list = under.closest(".articles") || (under.closest(".column") && under.closest(".column").querySelector(".articles"));
    if (list && !target && !list.contains(drag.placeholder)) list.append(drag.placeholder);
  }

  function endDrag() {
    document.removeEventListener("pointermove", moveDrag);
    if (!drag) return;
    const { card, placeholder, col, index } = drag;
    drag = null;
    card.classList.remove("dragging");
    form.classList.remove("sorting");
    const list = placeholder.parentElement;
    if (!list || !list.classList.contains("articles")) { placeholder.remove(); return; }
    const toCol = Number(list.dataset.col);
    let to = 0;
    for (const el of list.children) {
      if (el === placeholder) break;
      if (el.classList.contains("article") && el !== card) to++;
    }
    placeholder.remove();
    const [article] = issue.columns[col].articles.splice(index, 1);
    issue.columns[toCol].articles.splice(to, 0, article);
    if (toCol !== col || to !== index) changed(true); else render();
  }

  // ---- pasting from Word --------------------------------------------------------------------

  async function pasteInto(event, article, p) {
    const data = event.clipboardData;
    const html = data ? data.getData("text/html") : "";
    const text = data ? data.getData("text/plain") : "";
    const area = event.target;
    const whole = area.selectionStart === 0 && area.selectionEnd === area.value.length;
    if (!html && !(text.includes("\n") && (whole || area.value === ""))) return; // one plain line: as typed
    event.preventDefault();
    const { ok, answer } = await post("/api/paste", { html, text });
    if (!ok) { say(answer.error, "bad"); return; }
    const found = answer.paragraphs;
    if (!found.length) return;
    const replace = area.value.trim() === "" || whole;
    article.paragraphs.splice(p, replace ? 1 : 0, ...found.map((f) => f.text));
    if (!replace) p += 0;
    changed(true);
    offerFixes(article, found, replace ? p : p);
  }

  function offerFixes(article, found, start) {
    const cards = [...form.querySelectorAll(".article")];
    const card = cards.find((el) => {
      const c = Number(el.dataset.col), a = Number(el.dataset.index);
      return issue.columns[c] && issue.columns[c].articles[a] === article;
    });
    if (!card) return;
    const offer = card.querySelector(".paste-offer");
    const notes = found.flatMap((f) => f.notes);
    const leadsFound = found.filter((f) => f.lead).length;
    const parts = [`已粘贴 ${found.length} 段`];
    if (leadsFound) parts.push(`找到 ${leadsFound} 个引导句`);
    offer.replaceChildren(parts.join("，") + "。");
    if (notes.length) {
      offer.append(` 发现 ${notes.length} 处标点问题（如：${notes[0]}）。 `,
        h("button", { type: "button", class: "apply-fixes", onclick: () => {
          found.forEach((f, i) => {
            const at = start + i;
            if (paragraphText(article.paragraphs[at]) === f.text) article.paragraphs[at] = f.fixed;
          });
          changed(true);
        } }, "改为全角标点"));
    }
    offer.hidden = false;
  }

  // ---- the live preview ---------------------------------------------------------------------

  const pages = document.getElementById("pages");
  const previewState = document.getElementById("preview-state");
  const previewTime = document.getElementById("preview-time");
  let timer = null, inFlight = false, again = false, sequence = 0, answered = 0;

  function schedulePreview(delay) {
    clearTimeout(timer);
    timer = setTimeout(refresh, delay === undefined ? 300 : delay);
  }

  async function refresh() {
    if (inFlight) { again = true; return; }
    inFlight = true;
    const started = performance.now();
    previewState.textContent = "正在排版……";
    try {
      const { ok, answer } = await post("/api/preview", { file, version, issue, focus_text: focusText });
      if (!ok) { previewState.textContent = "预览失败：" + (answer.error || ""); return; }
      problems = answer.problems;
      leads = answer.leads || {};
      showProblems();
      showLeads();
      answered++;
      document.body.dataset.previewAnswered = String(answered);
      if (!answer.ok) {
        window.bulletinPreview = Object.assign({}, window.bulletinPreview || {}, { ok: false, problems });
        previewState.textContent = `未能排版：${problems.filter((x) => x.severity !== "warning").length} 个错误（见表单中标出处）`;
        pages.classList.add("stale");
      } else {
        pages.classList.remove("stale");
        const changedPages = await showPages(answer.pages, answer.images || {});
        const ms = performance.now() - started;
        previewState.textContent = `${answer.pages.length} 页`;
        previewTime.textContent = `（${changedPages} 页更新，${Math.round(ms)} ms）`;
        if (answer.focus_page !== null && answer.focus_page !== undefined) scrollToPage(answer.focus_page);
        window.bulletinPreview = { sequence: ++sequence, ms, changed: changedPages, pages: answer.pages.slice(), ok: true, problems };
        document.body.dataset.previewSequence = String(sequence);
      }
    } finally {
      inFlight = false;
      if (again) { again = false; schedulePreview(0); }
    }
  }

  // The changed pages' PNGs come with the answer; a page not among them is fetched by its hash.
  function showPages(hashes, images) {
    const loads = [];
    let changedPages = 0;
    hashes.forEach((hash, i) => {
      let img = pages.children[i];
      if (!img) { img = h("img", { class: "page", alt: `第 ${i + 1} 页` }); pages.append(img); }
      if (img.dataset.hash !== hash) {
        changedPages++;
        img.dataset.hash = hash;
        loads.push(new Promise((resolve) => { img.onload = img.onerror = resolve; }));
        img.src = images[hash] ? `data:image/png;base64,${images[hash]}` : `/page/${hash}.png`;
      }
    });
    while (pages.children.length > hashes.length) pages.lastElementChild.remove();
    return Promise.all(loads).then(() => changedPages);
  }

  function scrollToPage(i) {
    const img = pages.children[i];
    if (!img) return;
    const top = img.offsetTop - pages.offsetTop, bottom = top + img.offsetHeight;
    if (top < pages.scrollTop || bottom > pages.scrollTop + pages.clientHeight) pages.scrollTo({ top: top - 8 });
  }

  function fieldElement(field) {
    let f = field;
    while (f) {
      const el = form.querySelector(`[data-field="${CSS.escape(f)}"]`);
      if (el) return el;
      const cut = Math.max(f.lastIndexOf("."), f.lastIndexOf("["));
      if (cut <= 0) break;
      f = f.slice(0, cut);
    }
    return null;
  }

  function showProblems() {
    form.querySelectorAll(".msg").forEach((el) => el.remove());
    form.querySelectorAll(".has-problem").forEach((el) => el.classList.remove("has-problem"));
    const general = document.getElementById("general-problems");
    general.replaceChildren();
    for (const p of problems) {
      const el = p.field ? fieldElement(p.field) : null;
      const msg = h("div", { class: "msg " + p.severity, "data-for": p.field }, (p.severity === "warning" ? "提醒：" : "错误：") + p.message);
      if (el) {
        el.classList.add("has-problem");
        const holder = el.closest(".field, .paragraph") || el;
        (holder === el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA") ? el.parentElement : holder).append(msg);
      } else {
        general.append(h("div", { class: "msg " + p.severity }, (p.field ? p.field + "：" : "") + p.message));
      }
    }
  }

  function showLeads() {
    form.querySelectorAll("[data-lead]").forEach((el) => {
      const lead = leads[el.dataset.lead];
      el.textContent = lead ? "引导句：" + lead : "";
    });
  }

  // ---- saving and building ------------------------------------------------------------------

  async function save() {
    status.textContent = "正在保存……";
    const { ok, status: code, answer } = await post("/api/save", { file, version, issue });
    if (!ok) {
      status.textContent = code === 409 ? "未保存：文件已在磁盘上改动" : "未保存";
      status.className = "status bad";
      say(answer.error, "bad");
      return;
    }
    version = answer.version;
    issue = answer.issue;
    dirty = false;
    localStorage.removeItem(storeKey);
    status.textContent = answer.saved ? `已保存（上一版本存为 ${answer.backup}）` : "已保存（没有改动）";
    status.className = "status saved";
    say("");
    problems = answer.problems;
    render();
    schedulePreview(0);
  }

  document.getElementById("save").addEventListener("click", save);
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "s") { e.preventDefault(); save(); }
  });

  document.querySelectorAll("button.build").forEach((button) => button.addEventListener("click", async () => {
    const downloads = document.getElementById("downloads");
    downloads.replaceChildren(dirty ? "注意：有未保存的修改，生成的是已保存的文件。" : "", "正在生成……");
    const { ok, answer } = await post("/api/build", { file, variant: button.dataset.variant });
    if (!ok) {
      downloads.replaceChildren("未生成：" + (answer.error || (answer.problems || []).map((p) => p.message).join("；")));
      return;
    }
    downloads.replaceChildren(h("a", { href: answer.url, download: answer.name, class: "download" }, `下载 ${answer.name}（${answer.pages} 页）`));
  }));

  // ---- start --------------------------------------------------------------------------------

  restoreDraft();
  render();
  if (!dirty) { status.textContent = "已是磁盘上的版本"; status.className = "status saved"; }
  schedulePreview(0);
})();
