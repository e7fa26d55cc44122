// Evidence page: preview on request (a viewing token, then the byte-range URL) and the proof check.
// A file, not inline code: the Content-Security-Policy allows scripts from this site only.
(function () {
  "use strict";
  var box = document.querySelector("section.preview");
  if (box) {
    var id = box.getAttribute("data-evidence");
    var csrf = box.getAttribute("data-csrf");
    var button = box.querySelector("button.show-preview");
    var holder = box.querySelector(".preview-box");
    var failed = box.querySelector(".preview-error");
    if (button && holder) {
      button.addEventListener("click", function () {
        button.disabled = true;
        // POST …/view records the access in the chain of custody and returns a token for an hour.
        fetch("/api/v1/evidence/" + id + "/view", {
          method: "POST", credentials: "same-origin",
          headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json" },
          body: JSON.stringify({ purpose: "viewed on the evidence page" })
        }).then(function (r) {
          if (!r.ok) throw new Error("view " + r.status);
          return r.json();
        }).then(function (data) {
          var el = holder.querySelector("img, video, audio, iframe");
          // Never autoplay: video and audio wait for the user's own press of play.
          el.src = "/api/v1/evidence/" + id + "/file?token=" + encodeURIComponent(data.token);
          holder.hidden = false;
          button.hidden = true;
        }).catch(function () {
          failed.hidden = false;
          button.disabled = false;
        });
      });
    }
  }
  var proof = document.querySelector("section.proof");
  if (proof) {
    var out = proof.querySelector(".proof-result");
    proof.querySelector("button.verify-proof").addEventListener("click", function (e) {
      var b = e.currentTarget;
      b.disabled = true;
      fetch("/api/v1/evidence/" + proof.getAttribute("data-evidence") + "/proof", { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error("proof " + r.status); return r.json(); })
        .then(function (p) {
          out.textContent = p.verified
            ? out.getAttribute("data-ok").replace("{size}", p.tree_head.tree_size)
            : out.getAttribute("data-bad");
          out.className = "proof-result " + (p.verified ? "flash" : "message");
        })
        .catch(function () { out.textContent = out.getAttribute("data-failed"); out.className = "proof-result message"; })
        .then(function () { out.hidden = false; b.disabled = false; });
    });
  }
})();
