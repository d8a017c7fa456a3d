/* cqdt submission form: answers → checked values → points, groups, level, gap.
 * The same rules as scorer/rules.py and scorer/levels.py, in exact rational
 * arithmetic (BigInt), so that the page and the scorer agree to the last digit.
 * Messages are templates generated from scorer/messages.py and
 * scorer/submissions.py at build time (form data "messages").
 * Works in the browser (window.CqdtFormRules) and in node (require). */
(function (root, factory) {
  if (typeof module === "object" && module.exports) { module.exports = factory(); }
  else { root.CqdtFormRules = factory(); }
}(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  /* ---- exact rationals: {n, d} with d > 0, reduced ---- */
  function gcd(a, b) { a = a < 0n ? -a : a; b = b < 0n ? -b : b; while (b) { [a, b] = [b, a % b]; } return a; }
  function rat(n, d) {
    if (d === undefined) { d = 1n; }
    if (d < 0n) { n = -n; d = -d; }
    const g = gcd(n, d) || 1n;
    return { n: n / g, d: d / g };
  }
  const ZERO = rat(0n);
  const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

  /** Exact value of a decimal text such as "12.75" or "-3". */
  function parseDecimal(text) {
    const m = DECIMAL.exec(String(text).trim());
    if (!m) { throw new Error("not a decimal: " + text); }
    const fraction = m[3] || "";
    const n = BigInt(m[2] + fraction) * (m[1] ? -1n : 1n);
    return rat(n, 10n ** BigInt(fraction.length));
  }
  function add(a, b) { return rat(a.n * b.d + b.n * a.d, a.d * b.d); }
  function mul(a, b) { return rat(a.n * b.n, a.d * b.d); }
  function div(a, b) { return rat(a.n * b.d, a.d * b.n); }
  function cmp(a, b) { const x = a.n * b.d, y = b.n * a.d; return x < y ? -1 : (x > y ? 1 : 0); }
  function min(a, b) { return cmp(a, b) <= 0 ? a : b; }
  function isZero(a) { return a.n === 0n; }

  /** Round a non-negative value half up to `decimals` places, like rules.round_points. */
  function roundPoints(value, decimals) {
    const scale = 10n ** BigInt(decimals);
    return rat((2n * value.n * scale + value.d) / (2n * value.d), scale);
  }

  /** Decimal text with exactly `decimals` places (the value must have at most that many). */
  function fixed(value, decimals) {
    const scale = 10n ** BigInt(decimals);
    const scaled = value.n * scale / value.d;
    const negative = scaled < 0n;
    let digits = (negative ? -scaled : scaled).toString().padStart(decimals + 1, "0");
    if (decimals > 0) { digits = digits.slice(0, -decimals) + "." + digits.slice(-decimals); }
    return (negative ? "-" : "") + digits;
  }

  /** Vietnamese number: 25.2 → "25,2", 21.00 → "21", 1234.5 → "1.234,5" (text.vn_number). */
  function vnNumber(text) {
    let [whole, fraction = ""] = String(text).split(".");
    fraction = fraction.replace(/0+$/, "");
    const sign = whole.startsWith("-") ? "-" : "";
    whole = whole.replace(/^-/, "").replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return sign + whole + (fraction ? "," + fraction : "");
  }

  /* ---- answers: typed text → value, with the validator's messages ---- */
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (all, key) => (key in values ? String(values[key]) : all));
  }

  /** A value quoted as scorer.messages.shown quotes it. */
  function shown(text) {
    const chars = Array.from(text);
    return chars.length <= 60 ? "\"" + text + "\"" : "\"" + chars.slice(0, 57).join("") + "...\"";
  }

  // A number as a person types it: a decimal comma is a decimal point ("20,5" is 20.5), as
  // Vietnamese writes numbers (and the site and the Excel form show them).
  const NUMBER_TEXT = /^\s*-?\d+([.,]\d+)?\s*$/;
  const RATIO_IN_ONE = /[/%]/;

  function typeKey(schema) {
    const types = [].concat(schema.type);
    return types.includes("integer") ? "integer" : "number";
  }

  /** A value as scorer.messages.shown quotes it: numbers bare, text in quotes. */
  function shownValue(text) {
    return /^\s*-?\d+(\.\d+)?\s*$/.test(text) ? text.trim() : shown(text);
  }

  /**
   * Check one typed number against its JSON Schema part ("answer", "numerator" or
   * "denominator"); returns {number: {text, typed, value, integer}} or {error}.
   * names: the criterion's placeholders ({criterion}, {numerator_label}, {denominator_label}).
   */
  function checkNumber(text, schema, part, names, messages) {
    const typed = text.trim();
    const nullable = [].concat(schema.type).includes("null");
    const suffix = part === "answer" ? "" : "_" + part;
    if (!NUMBER_TEXT.test(typed)) {
      const key = part === "answer" ? "type_" + typeKey(schema) + (nullable ? "_or_null" : "") : "type_number" + suffix;
      return { error: fill(messages[key], Object.assign({ shown: shown(text) }, names)) };
    }
    const plain = typed.replace(",", ".");
    const number = { text: plain, typed: typed, value: parseDecimal(plain), integer: !plain.includes(".") };
    if (typeKey(schema) === "integer" && !number.integer) {
      return { error: fill(messages.integer, Object.assign({ value: typed }, names)) };
    }
    if (schema.minimum !== undefined && cmp(number.value, parseDecimal(String(schema.minimum))) < 0) {
      return { error: fill(messages["minimum" + suffix], Object.assign({ value: typed }, names)) };
    }
    return { number: number };
  }

  /**
   * Turn the raw inputs of one criterion into its answer value and problems.
   * raw: {answer, numerator, denominator, evidence, note} as typed; answer is
   * "true"/"false"/"" for yes_no and an option id or "" for choice (a ratio's answer holds
   * a single number read from a file, which a ratio cannot take).
   * Returns {value, errors: [{part, message}]}; value null when unanswered or not a valid value.
   */
  function readAnswer(criterion, schema, raw, messages, evidence) {
    const names = { criterion: criterion.label, numerator_label: criterion.numerator, denominator_label: criterion.denominator };
    const errors = [];
    let value = null;
    if (criterion.kind === "yes_no") {
      value = raw.answer === "true" ? true : (raw.answer === "false" ? false : null);
    } else if (criterion.kind === "choice") {
      value = raw.answer && schema.enum.includes(raw.answer) ? raw.answer : null;
    } else if (criterion.kind === "ratio") {
      const parts = { numerator: (raw.numerator || "").trim(), denominator: (raw.denominator || "").trim() };
      const single = (raw.answer || "").trim();
      const inOne = ["numerator", "denominator"].find((part) => RATIO_IN_ONE.test(parts[part]));
      if (inOne || (single && !parts.numerator && !parts.denominator)) {
        const text = inOne ? raw[inOne] : single;
        errors.push({ part: inOne || "numerator", message: fill(messages.ratio_number, Object.assign({ shown: shownValue(text) }, names)) });
      } else if (parts.numerator || parts.denominator) {
        const numbers = {};
        for (const part of ["numerator", "denominator"]) {
          if (!parts[part]) {
            errors.push({ part: part, message: fill(messages["required_" + part], names) });
            continue;
          }
          const checked = checkNumber(raw[part], schema.properties[part], part, names, messages);
          if (checked.error) { errors.push({ part: part, message: checked.error }); } else { numbers[part] = checked.number; }
        }
        if (!errors.length) {
          value = numbers;
          if (cmp(numbers.numerator.value, numbers.denominator.value) > 0) {
            errors.push({ part: "numerator", message: fill(messages.ratio_over, Object.assign({
              numerator: numbers.numerator.typed, denominator: numbers.denominator.typed }, names)) });
          }
        }
      }
    } else if ((raw.answer || "").trim()) {
      const checked = checkNumber(raw.answer, schema, "answer", names, messages);
      if (checked.error) { errors.push({ part: "answer", message: checked.error }); } else { value = checked.number; }
    }
    const items = evidenceItems(raw.evidence);
    if (!errors.length && isNonzero(criterion, value) && !items.length) {
      errors.push({ part: "evidence", message: fill(messages.evidence_required, names) });
    }
    for (const item of items) {
      const problem = evidenceProblem(item, messages, evidence);
      if (problem) { errors.push({ part: "evidence", message: fill(problem, names) }); }
    }
    // A wrong number scores nothing; a missing or wrong evidence link keeps the score
    // visible but still stops the file from being made.
    return { value: errors.some((e) => e.part !== "evidence") ? null : value, errors: errors };
  }

  function evidenceItems(text) {
    return String(text || "").split("\n").map((line) => line.trim()).filter((line) => line);
  }

  /** Why an evidence entry is refused (submissions.evidence_problem), as a template with {criterion}. */
  function evidenceProblem(item, messages, evidence) {
    const text = item.trim();
    const short = Array.from(text).slice(0, 80).join("");
    const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(text);
    if (scheme) {
      // The network location as Python's urlsplit finds it: after "//", up to "/", "?" or "#".
      const rest = text.slice(scheme[0].length);
      const host = rest.startsWith("//") ? rest.slice(2).split(/[/?#]/)[0] : "";
      const name = scheme[0].slice(0, -1).toLowerCase();
      if ((name !== "http" && name !== "https") || !host) {
        return fill(messages.evidence_scheme, { text: short });
      }
      return /\s/.test(text) ? fill(messages.evidence_space, { text: short }) : null;
    }
    const parts = text.split("/");
    if (text.startsWith("/") || text.startsWith("\\") || parts.includes("..")) {
      return fill(messages.evidence_relative, { text: short });
    }
    const normal = parts.filter((p) => p && p !== ".").join("/");
    return evidence.includes(normal) ? null : fill(messages.evidence_missing, { text: short });
  }

  /** Whether an answer claims something (rules.is_nonzero). */
  function isNonzero(criterion, value) {
    if (value === null || value === false) { return false; }
    if (criterion.kind === "ratio") { return !isZero(value.numerator.value); }
    if (criterion.kind === "choice") {
      const option = criterion.options.find((o) => o.id === value);
      return Boolean(option && !isZero(parseDecimal(option.points)));
    }
    if (criterion.kind === "yes_no") { return value === true; }
    return !isZero(value.value);
  }

  /* ---- scoring ---- */

  /** Exact, unrounded points of a checked value (rules.raw_points); best is a decimal text or null. */
  function rawPoints(criterion, value, best) {
    if (value === null || value === undefined) { return ZERO; }
    const maximum = parseDecimal(criterion.max);
    switch (criterion.kind) {
      case "yes_no": return value === true ? maximum : ZERO;
      case "ratio": {
        if (isZero(value.denominator.value)) { return ZERO; }
        return min(maximum, div(mul(maximum, value.numerator.value), mul(value.denominator.value, parseDecimal(criterion.full_at))));
      }
      case "count": return min(maximum, mul(value.value, parseDecimal(criterion.per_item)));
      case "choice": {
        const option = criterion.options.find((o) => o.id === value);
        return option ? parseDecimal(option.points) : ZERO;
      }
      case "relative": {
        if (best === null || best === undefined || isZero(parseDecimal(best))) { return ZERO; }
        return min(maximum, div(mul(maximum, value.value), parseDecimal(best)));
      }
      default: throw new Error("unknown criterion kind " + criterion.kind);
    }
  }

  /**
   * Score a tier's checked values: {points: {id: text}, groups: {id: text}, total,
   * level (id or null), gap: {level, shortfalls: [{group, score, minimum, missing}]} or null}.
   * bests: {criterion id: decimal text} for relative criteria.
   */
  function score(tier, decimals, levels, values, bests) {
    const points = {}, exact = {};
    for (const criterion of tier.criteria) {
      const value = values[criterion.id] === undefined ? null : values[criterion.id];
      exact[criterion.id] = roundPoints(rawPoints(criterion, value, bests[criterion.id]), decimals);
      points[criterion.id] = fixed(exact[criterion.id], decimals);
    }
    const groupScores = {};
    let total = ZERO;
    for (const group of tier.groups) {
      let sum = ZERO;
      for (const criterion of tier.criteria) {
        if (criterion.group === group.id) { sum = add(sum, exact[criterion.id]); }
      }
      groupScores[group.id] = sum;
      total = add(total, sum);
    }
    const reaches = (levelId) => tier.groups.every((g) => cmp(groupScores[g.id], parseDecimal(g.minimums[levelId])) >= 0);
    const found = levels.find((lv) => reaches(lv.id));
    const level = found ? found.id : null;
    const ids = levels.map((lv) => lv.id);
    const target = level === null ? ids[ids.length - 1] : (ids.indexOf(level) > 0 ? ids[ids.indexOf(level) - 1] : null);
    let gap = null;
    if (target !== null) {
      gap = { level: target, shortfalls: [] };
      for (const g of tier.groups) {
        const minimum = parseDecimal(g.minimums[target]);
        if (cmp(groupScores[g.id], minimum) < 0) {
          gap.shortfalls.push({ group: g.id, score: fixed(groupScores[g.id], decimals), minimum: fixed(minimum, decimals),
                                missing: fixed(add(minimum, rat(-groupScores[g.id].n, groupScores[g.id].d)), decimals) });
        }
      }
    }
    const groups = {};
    for (const id of Object.keys(groupScores)) { groups[id] = fixed(groupScores[id], decimals); }
    return { points: points, groups: groups, total: fixed(total, decimals), level: level, gap: gap };
  }

  /** The best value to compare a relative criterion with: the tier's best, or this unit's own if higher. */
  function effectiveBest(best, value) {
    if (!value || value === null) { return best; }
    if (best === null || best === undefined) { return value.text; }
    return cmp(value.value, parseDecimal(best)) > 0 ? value.text : best;
  }

  return {
    parseDecimal: parseDecimal, roundPoints: roundPoints, fixed: fixed, vnNumber: vnNumber,
    readAnswer: readAnswer, evidenceItems: evidenceItems, isNonzero: isNonzero,
    rawPoints: rawPoints, score: score, effectiveBest: effectiveBest, shown: shown,
  };
}));
