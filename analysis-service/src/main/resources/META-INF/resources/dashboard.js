"use strict";
// The live dashboard: what the analysis service holds (reports, the latest event of every run) at load, then every
// new report and run event as the service reads it from Kafka (server-sent events), re-rendered without a reload.
const reports = new Map();   // checkpointId → ReportPublished or ReportFailed
const attacking = new Map(); // checkpointId → ReportProgress, until its report replaces it
const runs = new Map();      // runId → latest run event, with the spec of its submission
const shown = new Map();     // runId → the epoch whose checkpoint the report sections show (default: the latest)
const verdicts = new Map();  // checkpointId → its verdict (logitlab.verdicts)
let trainerUrl = null;

// The bearer token: from the link ./lab stack up prints (#token=…, then dropped from the address bar), else from
// this tab's session, else pasted in the sign-in form. The live stream (EventSource cannot send headers) gets it as a
// cookie the server sets (POST /api/session): HttpOnly, for /api/stream of this origin only.
const TOKEN = "logitlab_token";
function remember(token) {
  sessionStorage.setItem(TOKEN, token);
}
(() => {
  const match = location.hash.match(/token=([^&]+)/);
  if (match) {
    remember(decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
})();
function authorized(options = {}) {
  const token = sessionStorage.getItem(TOKEN);
  return Object.assign({}, options, { headers: Object.assign({}, options.headers,
    token ? { Authorization: `Bearer ${token}` } : {}) });
}
async function api(path) {
  const response = await fetch(path, authorized());
  if (response.status === 401 || response.status === 403) {
    throw new SignInNeeded((await response.json()).detail);
  }
  return response.json();
}
// A list endpoint, every page of it: each answers a page and names the next in its Link header.
async function apiAll(path) {
  const all = [];
  for (let next = path; next;) {
    const response = await fetch(next, authorized());
    if (response.status === 401 || response.status === 403) {
      throw new SignInNeeded((await response.json()).detail);
    }
    if (!response.ok) throw new Error(`${next}: ${response.status}`);
    all.push(...await response.json());
    const link = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("Link") || "");
    next = link ? link[1] : null;
  }
  return all;
}
class SignInNeeded extends Error {}

function experiment() {
  const byRun = new Map();
  for (const r of reports.values()) {
    if (!r.report) continue;
    if (!byRun.has(r.runId)) byRun.set(r.runId, { runId: r.runId, defense: r.defense, format: r.format, checkpoints: [] });
    byRun.get(r.runId).checkpoints.push(Object.assign({ epoch: r.epoch, checkpointId: r.checkpointId }, r.report));
  }
  const list = [...byRun.values()].sort((a, b) => a.runId.localeCompare(b.runId));
  list.forEach(run => run.checkpoints.sort((a, b) => a.epoch - b.epoch));
  return { runs: list };
}

// Training progress and attack progress as DOM nodes: reasons, run ids and checkpoint ids come from Kafka and are
// only ever text.
function progressOf(event) {
  const cell = document.createElement("span");
  if (event && event.kind === "progress" && event.progress) {
    const p = event.progress;
    const bar = cell.appendChild(document.createElement("progress"));
    bar.max = 1;
    bar.value = Number(p.fraction) || 0;
    cell.append(` epoch ${Number(p.epoch)}/${Number(p.epochs)}, ${Math.round(Number(p.imagesPerSecond))} img/s`);
  } else if (event && event.kind === "failed") {
    cell.textContent = String(event.reason || "");
  }
  return cell;
}

function attackProgressOf(runId) {
  const parts = [...attacking.values()].filter(p => p.runId === runId).sort((a, b) => a.epoch - b.epoch);
  return parts.map(p => {
    const span = document.createElement("span");
    span.className = "attacking";
    span.dataset.checkpoint = p.checkpointId;
    const bar = span.appendChild(document.createElement("progress"));
    bar.max = Number(p.progress.shards) || 1;
    bar.value = Number(p.progress.shardsDone) || 0;
    span.append(` epoch ${p.epoch}: ${p.progress.shardsDone}/${p.progress.shards} shards`);
    return span;
  });
}

function renderRuns(exp) {
  const body = document.querySelector("#runs tbody");
  const ids = [...new Set([...runs.keys(), ...exp.runs.map(r => r.runId)])].sort();
  body.innerHTML = "";
  for (const id of ids) {
    const event = runs.get(id);
    const run = exp.runs.find(r => r.runId === id);
    const tr = document.createElement("tr");
    tr.dataset.run = id;
    tr.innerHTML = `<td></td><td></td><td class="status-cell"></td><td></td><td class="num reports"></td><td></td>` +
      `<td class="verdict"></td>`;
    tr.children[3].appendChild(progressOf(event));
    tr.children[4].textContent = String(run ? run.checkpoints.length : 0);
    for (const span of attackProgressOf(id)) tr.children[4].append(document.createElement("br"), span);
    tr.children[0].textContent = id;
    tr.children[1].textContent = run ? run.defense : (event && event.spec ? event.spec.defense : "");
    // A run from another training loop (a TorchScript upload or announcement) has no run events, only reports.
    const external = run && run.format === "torchscript";
    tr.children[2].textContent = event ? event.kind : external ? "external (TorchScript)" : "reported";
    if (run) {
      // The run's latest verdict names its best checkpoint so far; that option is starred.
      const latest = run.checkpoints.map(c => verdicts.get(c.checkpointId)).filter(v => v).pop();
      const select = document.createElement("select");
      for (const c of run.checkpoints) {
        const option = document.createElement("option");
        option.value = c.epoch;
        const best = latest && latest.best === c.checkpointId;
        option.textContent = `${external ? "step" : "epoch"} ${c.epoch}${best ? " ★ best" : ""}`;
        if (best) option.dataset.best = "true";
        select.appendChild(option);
      }
      select.value = shown.get(id) || run.checkpoints[run.checkpoints.length - 1].epoch;
      select.addEventListener("change", () => { shown.set(id, Number(select.value)); render(); });
      tr.children[5].appendChild(select);
      const checkpoint = run.checkpoints.find(c => c.epoch === Number(select.value));
      const verdict = checkpoint && verdicts.get(checkpoint.checkpointId);
      if (verdict) {
        tr.lastChild.textContent = verdict.kind;
        tr.lastChild.title = verdict.reason;
        tr.lastChild.className = "verdict " + (verdict.kind === "passed" ? "pass"
          : verdict.kind === "inconclusive" ? "unsure" : "fail");
      }
    }
    body.appendChild(tr);
  }
}

// The leaderboard as the analysis service ranks it, drawn as text only (run ids and defenses come from outside).
async function renderLeaderboard() {
  const container = document.getElementById("leaderboard");
  const tables = await api("/api/leaderboard");
  container.replaceChildren();
  const interval = i => i ? ` [${i[0].toFixed(3)}, ${i[1].toFixed(3)}]` : "";
  for (const t of tables) {
    const caption = document.createElement("p");
    caption.textContent = `${t.protocol.dataset}, ${t.protocol.examples} examples, ${t.protocol.budgets.join(" ")}`;
    const table = document.createElement("table");
    table.className = "leaderboard";
    const head = table.createTHead().insertRow();
    for (const h of ["rank", "run", "defense", "best checkpoint", "clean [95%]", "robust [95%]", "masking"]) {
      head.appendChild(document.createElement("th")).textContent = h;
    }
    const body = table.createTBody();
    for (const r of t.rows) {
      const tr = body.insertRow();
      tr.dataset.run = r.runId;
      const cells = [`${r.rank}${r.separable ? "" : " ≈"}`, r.runId, r.defense || "", `epoch ${r.epoch}`,
        r.clean.toFixed(3) + interval(r.cleanInterval), `${r.budget} ${r.robust.toFixed(3)}${interval(r.robustInterval)}`,
        r.maskingSuspected ? "suspected" : "no"];
      for (const text of cells) tr.insertCell().textContent = text;
    }
    container.append(caption, table);
  }
  document.body.dataset.leaderboard = String(tables.reduce((n, t) => n + t.rows.length, 0));
}

// The leaderboard changes only with a report or a verdict, and is ranked by the server: asked for at most every 10 s.
let leaderboardDue = null;
function refreshLeaderboard() {
  if (leaderboardDue === null) {
    leaderboardDue = setTimeout(() => { leaderboardDue = null; renderLeaderboard().catch(() => {}); }, 10000);
  }
}

function render() {
  const exp = experiment();
  renderRuns(exp);
  const container = document.getElementById("report");
  if (exp.runs.length > 0) {
    LogitlabReport.render(container, exp, {
      checkpointOf: run => run.checkpoints.find(c => c.epoch === shown.get(run.runId)) || run.checkpoints[run.checkpoints.length - 1]
    });
  }
  document.body.dataset.reports = String(reports.size);
}

/** A record of logitlab.reports: a checkpoint's progress under attack, or the outcome that replaces it. */
function received(r) {
  if (r.progress) {
    attacking.set(r.checkpointId, r);
  } else {
    attacking.delete(r.checkpointId);
    reports.set(r.checkpointId, r);
  }
}

function listen() {
  const source = new EventSource("/api/stream");
  const live = document.getElementById("live");
  source.onopen = () => { live.classList.add("on"); document.body.dataset.live = "true"; };
  source.onerror = () => { live.classList.remove("on"); document.body.dataset.live = "false"; };
  source.addEventListener("report", e => {
    const r = JSON.parse(e.data);
    received(r);
    render();
    if (!r.progress) refreshLeaderboard();
  });
  source.addEventListener("verdict", e => {
    const v = JSON.parse(e.data);
    verdicts.set(v.checkpointId, v);
    renderRuns(experiment());
    refreshLeaderboard();
  });
  source.addEventListener("run", e => {
    const r = JSON.parse(e.data);
    runs.set(r.runId, r);
    renderRuns(experiment());
  });
}

function list(text, number) {
  const values = text.split(",").map(v => v.trim()).filter(v => v.length > 0);
  return number ? values.map(Number) : values;
}

document.getElementById("submit").addEventListener("submit", async e => {
  e.preventDefault();
  const f = e.target.elements;
  const spec = {
    dataset: f.dataset.value, model: f.model.value, defense: f.defense.value, epochs: Number(f.epochs.value),
    trainLimit: Number(f.trainLimit.value),
    evaluation: { eps: list(f.eps.value, true), epsL2: list(f.epsL2.value, true), attacks: f.attacks.value,
                  limit: Number(f.limit.value), gapLimit: Number(f.gapLimit.value) }
  };
  const status = document.getElementById("submit-status");
  status.textContent = "submitting…";
  try {
    const response = await fetch(trainerUrl + "/api/runs", authorized({ method: "POST",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(spec) }));
    const body = await response.json();
    if (response.ok) {
      status.textContent = `submitted ${body.runId}`;
      status.dataset.runId = body.runId;
    } else {
      status.textContent = `refused: ${body.title || response.status}${body.detail ? ": " + body.detail : ""}`;
    }
  } catch (error) {
    status.textContent = `the trainer at ${trainerUrl} did not answer: ${error}`;
  }
});

document.getElementById("sign-in").addEventListener("submit", e => {
  e.preventDefault();
  remember(e.target.elements.token.value.trim());
  load();
});

async function load() {
  try {
    trainerUrl = (await (await fetch("/api/dashboard")).json()).trainerUrl;
    for (const r of await apiAll("/api/reports")) reports.set(r.checkpointId, r);
    for (const e of await apiAll("/api/evaluations")) {
      if (e.state === "attacking") attacking.set(e.checkpointId, { runId: e.runId, checkpointId: e.checkpointId,
        epoch: e.epoch, progress: { shardsDone: e.shardsDone, shards: e.shards } });
    }
    for (const r of await apiAll("/api/run-events")) runs.set(r.runId, r);
    for (const v of await apiAll("/api/verdicts")) verdicts.set(v.checkpointId, v);
  } catch (error) {
    if (!(error instanceof SignInNeeded)) throw error;
    document.getElementById("sign-in").hidden = false;
    document.getElementById("sign-in-status").textContent = error.message;
    return;
  }
  document.getElementById("sign-in").hidden = true;
  render();
  renderLeaderboard().catch(() => {});
  await fetch("/api/session", authorized({ method: "POST" }));
  listen();
  document.body.dataset.ready = "true";
}
load();
