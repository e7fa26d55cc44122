// Small helpers, no build step: "/" focuses search, place suggestions, upload size check.
(function () {
  "use strict";
  // No inline code or style attributes (the Content-Security-Policy allows none): set them here.
  document.querySelectorAll("[data-width]").forEach(function (el) {
    el.style.width = el.getAttribute("data-width") + "%";
  });
  document.querySelectorAll("a[data-back]").forEach(function (a) {
    if (history.length > 1) {
      a.addEventListener("click", function (e) { e.preventDefault(); history.back(); });
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) {
      var q = document.getElementById("top-q");
      if (q) { e.preventDefault(); q.focus(); }
    }
  });
  // A table wider than the screen scrolls inside its own box: make that box reachable by keyboard
  // (Tab to it, then the arrow keys), and name it after the table's caption or heading.
  function scrollables() {
    document.querySelectorAll("main table, .table-scroll").forEach(function (box) {
      if (box.matches(".table-scroll table")) return;
      var wide = box.scrollWidth > box.clientWidth + 1;
      if (wide && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.dataset.scrollFocus = "1";
      } else if (!wide && box.dataset.scrollFocus) {
        box.removeAttribute("tabindex");
        delete box.dataset.scrollFocus;
      }
    });
  }
  scrollables();
  window.addEventListener("resize", scrollables);
  // A list's filters fill a phone's screen: there they fold behind their summary (which says how
  // many are set) unless one is marked wrong; on a wide screen they are open (CSS hides the summary).
  var narrow = window.matchMedia("(max-width: 600px)");
  function foldFilters() {
    document.querySelectorAll("details[data-narrow-closed]").forEach(function (box) {
      box.open = !narrow.matches || !!box.querySelector("[aria-invalid=true]");
    });
  }
  foldFilters();
  narrow.addEventListener("change", foldFilters);
  // Place fields suggest gazetteer entries (name or KATOTTG code) from the API as you type.
  var timer = null;
  var levels = JSON.parse(document.body.dataset.placeLevels || "{}");  // "hromada" in the interface's language
  document.querySelectorAll("input[data-places]").forEach(function (input) {
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) return;
      timer = setTimeout(function () {
        fetch("/api/v1/places?limit=15&q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (places) {
            var list = document.getElementById(input.getAttribute("list"));
            if (!list) return;
            list.innerHTML = "";
            places.forEach(function (p) {
              var o = document.createElement("option");
              o.value = p.code;
              o.label = (document.documentElement.lang === "uk" ? p.name_uk : p.name_en) + " (" + (levels[p.level] || p.level) + ")";
              list.appendChild(o);
            });
          });
      }, 200);
    });
  });
  // Veiled evidence media (the user's setting): blurred and muted until the user clicks to show it.
  document.querySelectorAll(".veil.veiled").forEach(function (veil) {
    var sound = veil.querySelectorAll("video, audio");
    sound.forEach(function (m) { m.muted = true; });
    veil.querySelector("button.reveal").addEventListener("click", function (e) {
      veil.classList.remove("veiled");
      e.currentTarget.remove();
      sound.forEach(function (m) { m.muted = false; });
    });
  });
})();
