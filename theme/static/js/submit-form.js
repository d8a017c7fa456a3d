/* cqdt submission form page ("Nộp phiếu tự đánh giá"): builds the questions from
 * the form data, checks and scores every answer as it is typed (form-rules.js),
 * keeps a draft in this browser, and writes the submission file (form-yaml.js).
 * Everything a person typed reaches the page through textContent only. */
(function () {
  "use strict";
  const data = window.CQDT_FORM_DATA;
  const rules = window.CqdtFormRules;
  const yaml = window.CqdtFormYaml;
  const URL_LIMIT = 8000; // GitHub answers 414 beyond its URL limit; longer files go by copy and paste.
  const DRAFT_PREFIX = "cqdt-phieu:";
  const $ = (id) => document.getElementById(id);

  const state = { year: null, set: null, tierId: null, tier: null, unit: null, raws: {}, read: {} };

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") { node.textContent = value; }
      else if (value !== null && value !== undefined && value !== false) { node.setAttribute(key, value === true ? "" : value); }
    }
    for (const child of children || []) { if (child) { node.append(child); } }
    return node;
  }

  function option(value, label, selected) {
    return el("option", { value: value, selected: selected }, [label]);
  }

  function yearData(year) { return data.years.find((y) => String(y.year) === String(year)); }
  function unitData(id) { return data.units.find((u) => u.id === id); }
  function levelName(id) {
    const found = state.set.levels.find((lv) => lv.id === id);
    return found ? found.name : state.set.unranked_name;
  }

  /* ---- choosing the year, tier and unit ---- */
  function fillYears() {
    const years = data.years.slice().sort((a, b) => b.year - a.year);
    const open = years.find((y) => y.state === "open");
    const chosen = (open || years[0] || {}).year;
    $("form-year").replaceChildren(...years.map((y) => option(y.year, String(y.year) + (y.demo ? " (minh họa)" : ""), y.year === chosen)));
  }

  function fillTiers() {
    const set = data.criteria_sets[yearData($("form-year").value).criteria_set];
    // Communes are most of the units, so their tier is the default.
    const current = $("form-tier").value || (set.tiers.xa ? "xa" : "");
    $("form-tier").replaceChildren(...Object.entries(set.tiers).map(([id, tier]) => option(id, tier.name, id === current)));
  }

  function fillUnits() {
    const tierId = $("form-tier").value;
    const units = data.units.filter((u) => u.tier === tierId);
    const select = $("form-unit");
    const current = select.value;
    const children = [option("", "– Chọn đơn vị –", false)];
    if (tierId === "xa") {
      // data.units is in Vietnamese alphabetical order (forms/web.py): districts in the order
      // of their own names, communes in the order of theirs.
      const position = new Map(data.units.map((u, index) => [u.id, index]));
      const districts = new Map();
      for (const unit of units) {
        if (!districts.has(unit.district)) { districts.set(unit.district, []); }
        districts.get(unit.district).push(unit);
      }
      const place = (id) => (position.has(id) ? position.get(id) : data.units.length);
      const order = [...districts.keys()].sort((a, b) => place(a) - place(b));
      for (const districtId of order) {
        const district = unitData(districtId);
        children.push(el("optgroup", { label: district ? district.name : "Khác" },
          districts.get(districtId).map((u) => option(u.id, u.name, u.id === current))));
      }
    } else {
      children.push(...units.map((u) => option(u.id, u.name, u.id === current)));
    }
    select.replaceChildren(...children);
  }

  function showYearState() {
    const year = yearData($("form-year").value);
    const note = $("form-year-state");
    const parts = [];
    if (year.demo) { parts.push("Năm " + year.year + " là dữ liệu minh họa."); }
    if (year.state !== "open") {
      parts.push("Năm " + year.year + ": " + data.state_labels[year.state].toLowerCase() + "; phiếu tạo ở đây chỉ để tính thử, trừ khi Sở TT&TT mở lại việc nộp phiếu.");
    }
    note.textContent = parts.join(" ");
    note.hidden = !parts.length;
  }

  /* ---- drafts ---- */
  function draftKey() { return DRAFT_PREFIX + state.year.year + ":" + state.unit.id; }
  function saveDraft() {
    try {
      localStorage.setItem(draftKey(), JSON.stringify(state.raws));
      $("form-draft-status").textContent = "Đã lưu bản nháp trên máy này.";
    } catch (err) {
      $("form-draft-status").textContent = "Trình duyệt không cho lưu bản nháp; hãy tạo tệp trước khi đóng trang.";
    }
  }
  function loadDraft() {
    try { return JSON.parse(localStorage.getItem(draftKey()) || "null"); } catch (err) { return null; }
  }

  /* ---- the questions ---- */
  function emptyRaw() { return { answer: "", numerator: "", denominator: "", evidence: "", note: "" }; }

  function textInput(id, label, value, hint) {
    return el("div", { class: "form-field" }, [
      el("label", { for: id, text: label }),
      hint ? el("span", { class: "form-hint", id: id + "-hint", text: hint }) : null,
      el("input", { type: "text", id: id, inputmode: "decimal", autocomplete: "off", value: value,
                    "aria-describedby": hint ? id + "-hint" : null }),
    ]);
  }

  function answerInputs(criterion, raw) {
    const id = criterion.id;
    if (criterion.kind === "yes_no") {
      const choices = [["true", "Có"], ["false", "Không"], ["", "Chưa trả lời"]];
      return el("fieldset", { class: "form-choices" }, [el("legend", { text: "Trả lời" }),
        ...choices.map(([value, label]) => el("label", {}, [
          el("input", { type: "radio", name: id + "-answer", id: id + "-answer-" + (value || "none"), value: value,
                        "data-part": "answer", checked: raw.answer === value }), " " + label]))]);
    }
    if (criterion.kind === "choice") {
      return el("div", { class: "form-field" }, [
        el("label", { for: id + "-answer", text: "Trả lời" }),
        el("select", { id: id + "-answer", "data-part": "answer" }, [option("", "– Chưa trả lời –", raw.answer === ""),
          ...criterion.options.map((o) => option(o.id, o.label + " (" + rules.vnNumber(o.points) + " điểm)", raw.answer === o.id))]),
      ]);
    }
    if (criterion.kind === "ratio") {
      const numerator = textInput(id + "-numerator", "Tử số", raw.numerator, criterion.numerator);
      const denominator = textInput(id + "-denominator", "Mẫu số", raw.denominator, criterion.denominator);
      numerator.querySelector("input").dataset.part = "numerator";
      denominator.querySelector("input").dataset.part = "denominator";
      return el("div", { class: "form-ratio" }, [numerator, denominator]);
    }
    const hint = criterion.kind === "count" ? "Số " + criterion.counted + " (số nguyên)" :
      criterion.quantity + " (" + criterion.quantity_unit + ")";
    const field = textInput(id + "-answer", "Trả lời", raw.answer, hint);
    field.querySelector("input").dataset.part = "answer";
    return field;
  }

  function criterionBlock(criterion, raw) {
    const id = criterion.id;
    const evidence = el("textarea", { id: id + "-evidence", rows: 2, "data-part": "evidence", spellcheck: "false",
                                      "aria-describedby": id + "-evidence-hint" });
    evidence.value = raw.evidence;
    const note = el("textarea", { id: id + "-note", rows: 1, "data-part": "note" });
    note.value = raw.note;
    return el("fieldset", { class: "form-criterion", id: "c-" + id, "data-criterion": id }, [
      el("legend", {}, [el("span", { class: "form-cid", text: id }), " " + criterion.title,
        el("span", { class: "form-max", text: " (tối đa " + rules.vnNumber(criterion.max) + " điểm)" })]),
      el("p", { class: "form-how", text: criterion.how }),
      answerInputs(criterion, raw),
      el("div", { class: "form-field" }, [
        el("label", { for: id + "-evidence", text: "Minh chứng (mỗi dòng một đường dẫn https://..., hoặc một tệp đã có trong kho dữ liệu của tỉnh)" }),
        el("span", { class: "form-hint", id: id + "-evidence-hint", text: criterion.evidence_hint }),
        evidence]),
      el("div", { class: "form-field" }, [el("label", { for: id + "-note", text: "Ghi chú, giải trình (không bắt buộc)" }), note]),
      el("p", { class: "form-points", id: id + "-points", "aria-live": "polite" }),
      el("ul", { class: "form-errors", id: id + "-errors" }),
    ]);
  }

  function buildQuestions(raws) {
    state.raws = {};
    const container = $("form-criteria");
    const sections = state.tier.groups.map((group) => {
      const criteria = state.tier.criteria.filter((c) => c.group === group.id);
      const blocks = criteria.map((criterion) => {
        state.raws[criterion.id] = Object.assign(emptyRaw(), (raws || {})[criterion.id] || {});
        return criterionBlock(criterion, state.raws[criterion.id]);
      });
      return el("section", { class: "form-group", id: "nhom-" + group.id }, [
        el("h2", { text: "Nhóm " + group.id + ". " + group.name + " (tối đa " + rules.vnNumber(group.max) + " điểm)" }), ...blocks]);
    });
    container.replaceChildren(...sections);
    for (const criterion of state.tier.criteria) { check(criterion); }
    rescore();
    $("form-score").hidden = false;
    $("form-live").hidden = false;
    $("form-output").hidden = false;
    $("form-clear").hidden = false;
    $("form-result").hidden = true;
    $("form-output-errors").replaceChildren();
  }

  function chooseUnit(raws) {
    const unit = unitData($("form-unit").value);
    state.year = yearData($("form-year").value);
    state.set = data.criteria_sets[state.year.criteria_set];
    state.messages = data.messages[state.set.id];
    if (!unit) {
      state.unit = null;
      $("form-criteria").replaceChildren();
      for (const id of ["form-score", "form-live", "form-output", "form-clear"]) { $(id).hidden = true; }
      return;
    }
    state.unit = unit;
    state.tierId = unit.tier;
    state.tier = state.set.tiers[unit.tier];
    $("form-max-total").textContent = rules.vnNumber(state.tier.max_total);
    buildQuestions(raws || loadDraft());
    if (raws) { saveDraft(); }
  }

  /* ---- checking and scoring ---- */
  /** A message of the scorer (lower case, as it follows "file:line:" there) as a sentence. */
  function sentence(message) { return message.charAt(0).toUpperCase() + message.slice(1); }

  function check(criterion) {
    const id = criterion.id;
    const read = rules.readAnswer(criterion, state.tier.value_schemas[id], state.raws[id], state.messages, data.evidence);
    state.read[id] = read;
    const list = $(id + "-errors");
    list.replaceChildren(...read.errors.map((e) => el("li", { text: sentence(e.message) })));
    const block = $("c-" + id);
    const bad = new Set(read.errors.map((e) => e.part));
    for (const input of block.querySelectorAll("[data-part]")) {
      const invalid = bad.has(input.dataset.part);
      input.setAttribute("aria-invalid", invalid ? "true" : "false");
      const described = (input.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== id + "-errors");
      if (invalid) { described.push(id + "-errors"); }
      if (described.length) { input.setAttribute("aria-describedby", described.join(" ")); } else { input.removeAttribute("aria-describedby"); }
    }
    block.classList.toggle("has-errors", read.errors.length > 0);
  }

  function currentBests() {
    const bests = {};
    const known = (state.year.bests[state.tierId] || {}).self || {};
    for (const criterion of state.tier.criteria) {
      if (criterion.kind === "relative") {
        bests[criterion.id] = rules.effectiveBest(known[criterion.id], state.read[criterion.id].value);
      }
    }
    return bests;
  }

  function rescore() {
    const values = {};
    for (const criterion of state.tier.criteria) { values[criterion.id] = state.read[criterion.id].value; }
    const result = rules.score(state.tier, state.set.decimals, state.set.levels, values, currentBests());
    for (const criterion of state.tier.criteria) {
      $(criterion.id + "-points").textContent = "Điểm: " + rules.vnNumber(result.points[criterion.id]) + " / " + rules.vnNumber(criterion.max);
    }
    $("form-groups").replaceChildren(...state.tier.groups.map((g) => el("tr", {}, [
      el("th", { scope: "row" }, [el("a", { href: "#nhom-" + g.id, text: g.id + ". " + g.name })]),
      el("td", { class: "num", text: rules.vnNumber(result.groups[g.id]) }),
      el("td", { class: "num", text: rules.vnNumber(g.max) })])));
    $("form-total").textContent = rules.vnNumber(result.total);
    const level = $("form-level");
    level.textContent = levelName(result.level);
    level.className = "badge " + (result.level === null ? "lv-none" : "lv-" + result.level);
    const gap = $("form-gap");
    if (result.gap === null) {
      gap.replaceChildren(el("p", { text: "Đã đạt mức cao nhất." }));
    } else {
      gap.replaceChildren(el("p", { text: "Để đạt " + levelName(result.gap.level) + " cần thêm:" }),
        el("ul", {}, result.gap.shortfalls.map((s) => {
          const group = state.tier.groups.find((g) => g.id === s.group);
          return el("li", { text: "Nhóm " + s.group + " (" + group.name + "): thiếu " + rules.vnNumber(s.missing) +
            " điểm (đang có " + rules.vnNumber(s.score) + ", cần " + rules.vnNumber(s.minimum) + ")" });
        })));
    }
    $("form-live").textContent = "Tổng " + rules.vnNumber(result.total) + " điểm · " + levelName(result.level);
    const errors = state.tier.criteria.filter((c) => state.read[c.id].errors.length).length;
    $("form-error-count").textContent = errors ? "Còn " + errors + " tiêu chí có lỗi cần sửa." : "";
    state.result = result;
  }

  function onInput(event) {
    const target = event.target;
    const block = target.closest("[data-criterion]");
    if (!block || !target.dataset.part || !state.unit) { return; }
    const id = block.dataset.criterion;
    state.raws[id][target.dataset.part] = target.value;
    check(state.tier.criteria.find((c) => c.id === id));
    rescore();
    saveDraft();
    $("form-result").hidden = true;
  }

  /* ---- the file ---- */
  function submissionPath() {
    return "submissions/" + state.year.year + "/" + state.tierId + "/" + state.unit.id + ".yaml";
  }

  function makeFile() {
    const wrong = state.tier.criteria.filter((c) => state.read[c.id].errors.length);
    const box = $("form-output-errors");
    if (wrong.length) {
      $("form-result").hidden = true;
      box.replaceChildren(el("p", { class: "warning", text: "Chưa tạo được tệp: còn " + wrong.length + " tiêu chí có lỗi. Hãy sửa các tiêu chí sau:" }),
        el("ul", {}, wrong.map((c) => el("li", {}, [el("a", { href: "#c-" + c.id, text: c.id + ". " + c.title })]))));
      return;
    }
    box.replaceChildren();
    const answers = state.tier.criteria.map((c) => ({ id: c.id, kind: c.kind, value: state.read[c.id].value,
      evidence: rules.evidenceItems(state.raws[c.id].evidence), note: state.raws[c.id].note.trim() }));
    const text = yaml.emit(state.tier.schema_name, state.unit.id, state.year.year, answers);
    const path = submissionPath();
    $("form-yaml").value = text;
    $("form-path").textContent = path;
    const download = $("form-download");
    if (download.href && download.href.startsWith("blob:")) { URL.revokeObjectURL(download.href); }
    download.href = URL.createObjectURL(new Blob([text], { type: "text/yaml;charset=utf-8" }));
    download.setAttribute("download", state.unit.id + ".yaml");
    const link = $("form-github");
    const help = $("form-github-help");
    const repo = data.repository.url;
    const branch = encodeURIComponent(data.repository.branch);
    if (!repo) {
      link.hidden = true;
      help.textContent = "Trang này chưa được cấu hình địa chỉ kho GitHub: hãy tải tệp về và gửi cho cán bộ đầu mối của Sở TT&TT.";
    } else if (state.year.submitted.includes(state.unit.id)) {
      link.hidden = false;
      link.href = repo + "/edit/" + branch + "/" + path.split("/").map(encodeURIComponent).join("/");
      link.dataset.copy = "yes";
      help.textContent = "Đơn vị đã có tệp phiếu năm này. Khi bấm nút dưới đây, nội dung mới được sao chép sẵn; trên GitHub hãy xóa nội dung cũ, dán nội dung mới (Ctrl+V) rồi bấm \"Propose changes\".";
    } else {
      link.hidden = false;
      const base = repo + "/new/" + branch + "?filename=" + encodeURIComponent(path);
      const full = base + "&value=" + encodeURIComponent(text);
      link.href = full.length <= URL_LIMIT ? full : base;
      link.dataset.copy = full.length <= URL_LIMIT ? "" : "yes";
      help.textContent = full.length <= URL_LIMIT
        ? "Bấm nút dưới đây: GitHub mở sẵn tệp mới với đúng tên và nội dung; bạn chỉ cần bấm \"Propose new file\"."
        : "Phiếu dài hơn mức một đường dẫn GitHub nhận được: khi bấm nút dưới đây, nội dung được sao chép sẵn; trên GitHub (tên tệp đã điền sẵn) hãy dán vào ô nội dung (Ctrl+V) rồi bấm \"Propose new file\". Nếu chưa dán được, bấm \"Sao chép nội dung\".";
    }
    $("form-result").hidden = false;
    $("form-copy-status").textContent = "";
  }

  async function copyFile() {
    const text = $("form-yaml").value;
    try {
      await navigator.clipboard.writeText(text);
      $("form-copy-status").textContent = "Đã sao chép nội dung tệp phiếu.";
    } catch (err) {
      $("form-yaml").select();
      $("form-copy-status").textContent = "Trình duyệt không cho sao chép tự động: nội dung đã được chọn, hãy bấm Ctrl+C.";
    }
  }

  /* ---- loading an existing file ---- */
  async function loadExisting() {
    const status = $("form-load-status");
    const file = $("form-load-file").files[0];
    const text = file ? await file.text() : $("form-load-text").value;
    let loaded;
    try {
      loaded = yaml.load(text, window.jsyaml);
    } catch (err) {
      status.textContent = err.message;
      return;
    }
    const unit = unitData(loaded.unit);
    if (!unit) { status.textContent = "Không có đơn vị '" + loaded.unit + "' trong danh sách đơn vị."; return; }
    const notes = [];
    if (yearData(loaded.year)) { $("form-year").value = loaded.year; }
    else { notes.push("Không có năm " + loaded.year + " trên trang; phiếu được đọc vào năm " + $("form-year").value + "."); }
    fillTiers();
    $("form-tier").value = unit.tier;
    fillUnits();
    $("form-unit").value = unit.id;
    showYearState();
    const set = data.criteria_sets[yearData($("form-year").value).criteria_set];
    const known = new Set(set.tiers[unit.tier].criteria.map((c) => c.id));
    const unknown = Object.keys(loaded.answers).filter((id) => !known.has(id));
    if (unknown.length) { notes.push("Bỏ qua tiêu chí không có trong bộ tiêu chí: " + unknown.join(", ") + "."); }
    chooseUnit(loaded.answers);
    status.textContent = "Đã đọc phiếu của " + unit.name + ". " + notes.join(" ");
  }

  function clearDraft() {
    if (!state.unit) { return; }
    try { localStorage.removeItem(draftKey()); } catch (err) { /* nothing stored */ }
    buildQuestions({});
    $("form-draft-status").textContent = "Đã xóa bản nháp.";
  }

  function start() {
    fillYears();
    fillTiers();
    const params = new URLSearchParams(window.location.search);
    const wanted = unitData(params.get("don-vi") || "");
    if (params.get("nam") && yearData(params.get("nam"))) { $("form-year").value = params.get("nam"); fillTiers(); }
    if (wanted) { $("form-tier").value = wanted.tier; }
    fillUnits();
    if (wanted) { $("form-unit").value = wanted.id; }
    showYearState();
    chooseUnit();
    $("form-year").addEventListener("change", () => { fillTiers(); fillUnits(); showYearState(); chooseUnit(); });
    $("form-tier").addEventListener("change", () => { fillUnits(); chooseUnit(); });
    $("form-unit").addEventListener("change", () => chooseUnit());
    $("form-criteria").addEventListener("input", onInput);
    $("form-criteria").addEventListener("change", onInput);
    $("form-make").addEventListener("click", makeFile);
    $("form-copy").addEventListener("click", copyFile);
    $("form-github").addEventListener("click", (event) => { if (event.currentTarget.dataset.copy === "yes") { copyFile(); } });
    $("form-load-button").addEventListener("click", loadExisting);
    $("form-clear").addEventListener("click", clearDraft);
    $("submission-form").addEventListener("submit", (event) => event.preventDefault());
  }

  start();
}());
