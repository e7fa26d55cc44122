// The job page: ask the API for the job's progress every 1.5 s until it has ended.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) return;
  var id = box.dataset.job, url = "/api/v1/jobs/" + id, ended = ["done", "failed", "cancelled"];
  function $(name) { return document.getElementById(name); }
  function show(job) {
    var p = job.progress;
    $("job-status").textContent = box.dataset["l" + job.status.charAt(0).toUpperCase() + job.status.slice(1)] || job.status;
    $("job-bar").max = p.total || 1;
    $("job-bar").value = p.total ? p.done : (job.status === "done" ? 1 : 0);
    $("job-count").textContent = p.total ? p.done + " / " + p.total : String(p.done);
    $("job-message").textContent = p.message || "";
    $("job-updated").textContent = p.updated_at || "";
    $("job-error").hidden = !job.error || box.dataset.reload === "1";
    $("job-error").textContent = job.error || "";
    $("job-result").hidden = box.dataset.noFile === "1" || !(job.status === "done" && job.result && job.result.file);
    $("job-cancel").hidden = ended.indexOf(job.status) >= 0;
    return ended.indexOf(job.status) < 0;
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job || show(job)) setTimeout(poll, 1500);
        else if (box.dataset.reload === "1") window.location.reload();  // the page shows the outcome
      })
      .catch(function () { setTimeout(poll, 1500); });
  }
  $("job-cancel").addEventListener("click", function () {
    fetch(url + "/cancel", { method: "POST", credentials: "same-origin",
                             headers: { "X-CSRF-Token": box.dataset.csrf, Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; }).then(function (job) { if (job) show(job); });
  });
  setTimeout(poll, 1500);
})();
