/* cqdt submission form: write a submission in the canonical layout of `cqdt fmt`
 * (scorer/fmt.py), and read an existing one back into the form's inputs.
 * Works in the browser (window.CqdtFormYaml) and in node (require). */
(function (root, factory) {
  if (typeof module === "object" && module.exports) { module.exports = factory(); }
  else { root.CqdtFormYaml = factory(); }
}(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  const PLAIN_FIRST = /^[^\s\-?:,[\]{}#&*!|>'"%@`+.0-9<=]/;
  const NOT_PLAIN_WORDS = ["true", "false", "null", "~", "yes", "no", "on", "off", "y", "n"];
  const ESCAPES = {
    "\0": "0", "\x07": "a", "\b": "b", "\t": "t", "\n": "n", "\v": "v", "\f": "f", "\r": "r", "\x1b": "e",
    "\"": "\"", "\\": "\\", "\x85": "N", "\xa0": "_", "\u2028": "L", "\u2029": "P",
  };

  function printable(code) {
    return (code >= 0x20 && code <= 0x7e) || (code >= 0xa1 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd);
  }

  /** Whether a string is written without quotes (fmt.plain_safe). */
  function plainSafe(text) {
    if (!text || text !== text.trim() || !PLAIN_FIRST.test(text)) { return false; }
    if (NOT_PLAIN_WORDS.includes(text.toLowerCase()) || text.endsWith(":") || text.includes(": ") || text.includes(" #")) {
      return false;
    }
    return Array.from(text).every((ch) => printable(ch.codePointAt(0)) && !"\u2028\u2029\ufeff".includes(ch));
  }

  /** A double-quoted scalar exactly as ruamel.yaml writes it with allow_unicode. */
  function doubleQuoted(text) {
    let out = "\"";
    for (const ch of text) {
      const code = ch.codePointAt(0);
      const plain = (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xd7ff) ||
        (code >= 0xe000 && code <= 0xfffd) || code >= 0x10000;
      if (plain && !"\"\\\x85\u2028\u2029\ufeff".includes(ch)) { out += ch; continue; }
      if (ESCAPES[ch] !== undefined) { out += "\\" + ESCAPES[ch]; }
      else if (code <= 0xff) { out += "\\x" + code.toString(16).toUpperCase().padStart(2, "0"); }
      else if (code <= 0xffff) { out += "\\u" + code.toString(16).toUpperCase().padStart(4, "0"); }
      else { out += "\\U" + code.toString(16).toUpperCase().padStart(8, "0"); }
    }
    return out + "\"";
  }

  /** A string scalar in the canonical style: '' when empty, plain when unambiguous, else double-quoted. */
  function scalar(text) {
    if (text === "") { return "''"; }
    return plainSafe(text) ? text : doubleQuoted(text);
  }

  /** Canonical number text (fmt.decimal_text for decimals; plain digits for integers). */
  function numberText(text) {
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(text).trim());
    if (!m) { throw new Error("not a number: " + text); }
    const whole = BigInt(m[2]).toString();
    if (m[3] === undefined) { return (m[1] && whole !== "0" ? "-" : "") + whole; }
    const fraction = m[3].replace(/0+$/, "") || "0";
    return m[1] + whole + "." + fraction;
  }

  function valueText(kind, value) {
    if (value === null || value === undefined) { return ""; }
    if (kind === "yes_no") { return value ? " true" : " false"; }
    if (kind === "choice") { return " " + scalar(value); }
    if (kind === "ratio") {
      return " {numerator: " + numberText(value.numerator.text) + ", denominator: " + numberText(value.denominator.text) + "}";
    }
    return " " + numberText(value.text);
  }

  /**
   * The submission file. answers: [{id, kind, value, evidence: [text], note}] in
   * catalogue order; values as CqdtFormRules.readAnswer returns them.
   */
  function emit(schemaName, unit, year, answers) {
    const lines = ["# yaml-language-server: $schema=../../../schema/" + schemaName,
                   "unit: " + scalar(unit), "year: " + year, "answers:"];
    for (const answer of answers) {
      lines.push("  " + answer.id + ":");
      lines.push("    value:" + valueText(answer.kind, answer.value));
      if (answer.evidence.length) {
        lines.push("    evidence:");
        for (const item of answer.evidence) { lines.push("      - " + scalar(item)); }
      } else {
        lines.push("    evidence: []");
      }
      lines.push("    note: " + scalar(answer.note || ""));
    }
    return lines.join("\n") + "\n";
  }

  /** A js-yaml schema keeping numbers as their exact text: {number: "12.50"}. */
  function exactSchema(jsyaml) {
    const decimal = new jsyaml.Type("tag:yaml.org,2002:float", {
      kind: "scalar",
      resolve: (data) => data !== null && /^[-+]?(\d[\d_]*)?(\.[\d_]*)?([eE][-+]?\d+)?$/.test(data) && /\d/.test(data) && /[.eE]/.test(data),
      construct: (data) => ({ number: data.replace(/_/g, "") }),
    });
    const integer = new jsyaml.Type("tag:yaml.org,2002:int", {
      kind: "scalar",
      resolve: (data) => data !== null && /^[-+]?\d[\d_]*$/.test(data),
      construct: (data) => ({ number: data.replace(/_/g, "") }),
    });
    return jsyaml.CORE_SCHEMA.extend({ implicit: [decimal, integer] });
  }

  function asText(value) {
    if (value === null || value === undefined) { return ""; }
    if (typeof value === "object" && "number" in value) { return value.number.replace(/^\+/, ""); }
    return String(value);
  }

  /**
   * Read a submission's text into raw form inputs: {unit, year, answers: {id: {answer,
   * numerator, denominator, evidence, note}}}. Throws Error with a Vietnamese message.
   */
  function load(text, jsyaml) {
    let data;
    try {
      data = jsyaml.load(text, { schema: exactSchema(jsyaml) });
    } catch (err) {
      throw new Error("Không đọc được tệp YAML: " + (err.reason || err.message) +
        (err.mark ? " (dòng " + (err.mark.line + 1) + ")" : ""));
    }
    if (!data || typeof data !== "object" || Array.isArray(data) || typeof data.answers !== "object" || !data.answers) {
      throw new Error("Tệp không phải phiếu tự đánh giá: cần có các trường unit, year và answers.");
    }
    const answers = {};
    for (const [id, entry] of Object.entries(data.answers)) {
      if (!entry || typeof entry !== "object") { continue; }
      const value = entry.value;
      const raw = { answer: "", numerator: "", denominator: "", evidence: "", note: asText(entry.note) };
      if (value === true || value === false) { raw.answer = String(value); }
      else if (value && typeof value === "object" && !("number" in value)) {
        raw.numerator = asText(value.numerator);
        raw.denominator = asText(value.denominator);
      } else { raw.answer = asText(value); }
      raw.evidence = Array.isArray(entry.evidence) ? entry.evidence.map(asText).join("\n") : "";
      answers[id] = raw;
    }
    return { unit: asText(data.unit), year: asText(data.year), answers: answers };
  }

  return { plainSafe: plainSafe, scalar: scalar, numberText: numberText, emit: emit, load: load };
}));
