// Pressroom's only script: live run progress over Server-Sent Events and live image status.
// Served from the binary; the pages work without it (they are plain forms and links).
"use strict";

function liveRun(box) {
  const run = box.dataset.run;
  const status = document.getElementById("run-status");
  const credits = document.getElementById("run-credits");
  const log = document.getElementById("events");
  const last = log && log.lastElementChild ? log.lastElementChild.dataset.id : "0";
  const es = new EventSource("/runs/" + run + "/stream?after=" + (last || "0"));
  es.addEventListener("run", (m) => {
    const r = JSON.parse(m.data);
    box.dataset.status = r.status;
    if (status) { status.textContent = r.status; status.className = "tag " + r.status; }
    if (credits) credits.textContent = r.credits_used;
    const enable = { pause: ["queued", "running"], resume: ["paused"], cancel: ["queued", "running", "paused"] };
    for (const [id, states] of Object.entries(enable)) {
      const b = document.getElementById(id);
      if (b) b.disabled = !states.includes(r.status);
    }
    for (const s of r.stages) {
      const row = box.querySelector('tr[data-stage="' + s.stage + '"]');
      if (!row) continue;
      row.classList.toggle("current", s.stage === r.current_stage);
      for (const k of ["processed", "created", "failed", "credits"]) {
        const cell = row.querySelector("." + k);
        if (cell) cell.textContent = s[k];
      }
    }
  });
  es.addEventListener("event", (m) => {
    const e = JSON.parse(m.data);
    if (!log) return;
    const li = document.createElement("li");
    li.className = e.level;
    li.dataset.id = e.id;
    const t = document.createElement("time");
    t.textContent = new Date(e.created_at).toISOString().slice(11, 19);
    li.appendChild(t);
    li.appendChild(document.createTextNode(" " + (e.stage ? "[" + e.stage + "] " : "") + e.message));
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
  });
  es.addEventListener("end", () => { es.close(); window.location.reload(); });
}

function liveImages(box) {
  const site = box.dataset.site;
  const tick = async () => {
    const unsettled = document.querySelectorAll('figure.img[data-status="pending"], figure.img[data-status="generating"]');
    if (unsettled.length === 0) return;
    try {
      const res = await fetch("/api/v1/sites/" + site + "/images?limit=1000", { credentials: "same-origin" });
      if (!res.ok) return;
      const images = await res.json();
      let changed = false;
      for (const i of images) {
        const fig = document.querySelector('figure.img[data-image="' + i.id + '"]');
        if (!fig || fig.dataset.status === i.status) continue;
        fig.dataset.status = i.status;
        const tag = fig.querySelector(".status");
        if (tag) { tag.textContent = i.status; tag.className = "tag " + i.status + " status"; }
        if (i.status === "generated" || i.status === "failed") changed = true;
      }
      if (changed && document.querySelectorAll('figure.img[data-status="pending"], figure.img[data-status="generating"]').length === 0) {
        window.location.reload();
        return;
      }
    } catch (_) { /* try again on the next tick */ }
    setTimeout(tick, 1500);
  };
  setTimeout(tick, 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  const live = document.getElementById("live");
  if (live && ["queued", "running", "paused"].includes(live.dataset.status)) liveRun(live);
  const images = document.getElementById("image-live");
  if (images) liveImages(images);
});

// Live length counters: "42 / 60" under a field with data-counter (and data-counter-min),
// marked over or under so an editor sees the limit before saving.
function counters() {
  for (const field of document.querySelectorAll("[data-counter]")) {
    const out = field.parentElement.nextElementSibling;
    if (!out || out.tagName !== "OUTPUT") continue;
    const max = Number(field.dataset.counter);
    const min = Number(field.dataset.counterMin || 0);
    const update = () => {
      const n = [...field.value].length;
      out.textContent = n + " / " + (min ? min + "-" : "") + max;
      out.classList.toggle("over", n > max);
      out.classList.toggle("under", min > 0 && n < min);
    };
    field.addEventListener("input", update);
    update();
  }
}
document.addEventListener("DOMContentLoaded", counters);
