// On every page: text folded for search, and links that hold when the site is opened from disk.
(function () {
  "use strict";
  var fromDisk = window.location.protocol === "file:";

  // A text as search compares it: no tone or vowel marks, đ → d, lower case, single spaces
  // ("Xã Ấm Hạ", "xa am ha" and its decomposed spelling all fold to "xa am ha").
  function fold(text) {
    return text.normalize("NFD").replace(/\p{Mn}/gu, "").replace(/[đĐ]/g, "d")
      .toLowerCase().replace(/\s+/g, " ").trim();
  }

  // Pages are folders' index.html. A server shows that file at the folder's address; a page
  // opened from disk (file://) would show the folder itself, so there the address names it.
  function page(href) {
    if (!fromDisk || /^([a-z][a-z0-9+.-]*:|#|\/\/)/i.test(href)) { return href; }
    var cut = href.search(/[?#]/);
    var path = cut === -1 ? href : href.slice(0, cut);
    var rest = cut === -1 ? "" : href.slice(cut);
    if (/(^|\/)\.{1,2}$/.test(path)) { path += "/"; }
    return /\/$/.test(path) ? path + "index.html" + rest : href;
  }

  window.cqdt = { fold: fold, page: page };

  if (fromDisk) {
    // A link is pressed, touched or focused before it is followed: mended then, one at a time,
    // rather than every link of a long page when it loads.
    var mend = function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (link) { link.setAttribute("href", page(link.getAttribute("href"))); }
    };
    ["mousedown", "touchstart", "focusin"].forEach(function (type) {
      document.addEventListener(type, mend, { capture: true, passive: true });
    });
  }
}());
