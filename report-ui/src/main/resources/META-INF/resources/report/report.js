"use strict";
// Renders an experiment (runs, each with its checkpoints' logitlab.evaluation/v1 reports) into a container. The
// static HTML report inlines this file and renders once; the dashboard renders again whenever a report arrives.
const LogitlabReport = (() => {
  const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];
  const NORM_NAMES = { linf: "ℓ∞", l2: "ℓ2" };
  const num = v => (v === null || v === undefined) ? NaN : Number(v);
  const fmt = (v, d = 3) => Number.isFinite(num(v)) ? num(v).toFixed(d) : "–";
  const signed = v => Number.isFinite(num(v)) ? (num(v) >= 0 ? "+" : "") + num(v).toFixed(3) : "–";
  // A budget is a norm and an ε; reports from before ℓ2 have no norm, which means ℓ∞.
  const normOf = x => x.norm || "linf";
  const budgetLabel = b => (b.norm === "l2" ? "ℓ2 " : "") + "ε=" + b.eps;
  const axis = (title, extra = {}) => Object.assign({ title: { display: true, text: title } }, extra);
  const charts = new Map();

  const SECTIONS = `
<p class="lead" data-part="lead"></p>
<div data-part="breach-section" hidden>
<h2>A weak attack against the full suite</h2>
<table data-part="breach"><thead><tr><th>defense</th><th>seed</th><th>clean</th><th>budget</th><th>weak attack [95%]</th>
  <th>full suite [95%]</th><th>lost</th><th>weak − plain (p)</th><th>full − plain [95% bounds]</th><th>breach</th>
  <th>weak evaluation's verdict</th><th>full suite's verdict</th></tr></thead><tbody></tbody></table>
<h3>Per defense, over its seeds</h3>
<table data-part="breach-pooled"><thead><tr><th>defense</th><th>budget</th><th>seeds trained</th>
  <th>weak − plain [95% bounds]</th><th>full − plain [95% bounds]</th><th>breach (Holm)</th></tr></thead><tbody></tbody></table>
<p class="note" data-part="breach-note"></p>
<ul class="note" data-part="breach-evidence"></ul>
</div>
<h2>Summary</h2>
<table data-part="summary"><thead></thead><tbody></tbody></table>
<p class="note">Robust accuracy is the worst case per example over every attack at that budget (an example counts as
robust only if no attack broke it). Gaps are medians over correctly classified examples (Shafahi et al. 2019, Eq. 4):
the logit gap z<sub>y</sub> − z<sub>j</sub> to the runner-up and the gradient gap ‖∇ₓz<sub>y</sub> − ∇ₓz<sub>j</sub>‖₁.</p>
<h2>Clean and robust accuracy</h2>
<figure data-plot="accuracy"><div class="box"><canvas id="accuracy"></canvas></div>
  <figcaption>Each defense's checkpoint shown: clean accuracy and worst-case robust accuracy at each budget.</figcaption></figure>
<h2>Robust accuracy against ε, per attack</h2>
<div class="grid" data-part="eps-grid" data-plot="eps-per-attack"></div>
<h2>Robustness over training</h2>
<figure data-plot="epochs"><div class="box"><canvas id="epochs"></canvas></div>
  <figcaption>Worst-case robust accuracy at the largest ℓ∞ ε (solid) and clean accuracy (dashed) after every epoch.</figcaption></figure>
<div class="grid" data-part="epochs-grid" data-plot="epochs-per-run"></div>
<h2>Logit gaps and gradient gaps</h2>
<div class="grid">
  <figure data-plot="logit-gap"><div class="box"><canvas id="logit-gap"></canvas></div>
    <figcaption>Distribution of the logit gap z<sub>y</sub> − max<sub>j≠y</sub> z<sub>j</sub> (share of examples per bin).</figcaption></figure>
  <figure data-plot="gradient-gap"><div class="box"><canvas id="gradient-gap"></canvas></div>
    <figcaption>Distribution of the gradient gap ‖∇ₓz<sub>y</sub> − ∇ₓz<sub>j</sub>‖₁ to the runner-up.</figcaption></figure>
</div>
<h2>Predicted against actual minimal ε</h2>
<div class="grid">
  <figure data-plot="predicted-vs-actual"><div class="box"><canvas id="predicted-vs-actual"></canvas></div>
    <figcaption>Each point an example: ε predicted by Eq. 4 (logit gap / gradient gap) against the smallest ε at which FGSM
      flips it. Points on the diagonal: the linear picture holds.</figcaption></figure>
  <figure data-plot="cosine"><div class="box"><canvas id="cosine"></canvas></div>
    <figcaption>Cosine between ∇ₓz<sub>y</sub> and ∇ₓz<sub>j</sub> (runner-up): label smoothing with noise aligns class
      gradients (Shafahi et al., Fig. 4).</figcaption></figure>
</div>
<h2>Indicators of attack failure and masking checks</h2>
<div data-plot="masking"><table data-part="masking"><thead><tr><th>defense</th><th>check</th><th>result</th>
  <th>evidence</th></tr></thead><tbody></tbody></table></div>
<h2>Where the time went</h2>
<p class="note">Per checkpoint shown: the wall time until its last shard was in (services), each attack's compute
summed over its shards and budgets, and each stage of the analysis, in seconds and in example-passes through the
network (forward, and forward with backward for a gradient): seconds move with the machine, passes do not.</p>
<table data-part="timeline"><thead><tr><th>defense</th><th>stage</th><th class="num">seconds</th>
  <th class="num">forward passes</th><th class="num">backward passes</th></tr></thead>
  <tbody></tbody></table>`;

  // Draws each bar's 95% interval (a dataset's `intervals`, [lower, upper] per bar) as an error bar, and counts
  // them on the canvas (data-error-bars) so a test can see they were drawn.
  const ERROR_BARS = {
    id: "errorBars",
    afterDatasetsDraw(chart) {
      const { ctx, scales: { y } } = chart;
      let drawn = 0;
      chart.data.datasets.forEach((dataset, i) => (dataset.intervals || []).forEach((interval, j) => {
        const bar = chart.getDatasetMeta(i).data[j];
        if (!interval || !bar) return;
        const [top, bottom] = [y.getPixelForValue(interval[1]), y.getPixelForValue(interval[0])];
        ctx.save();
        ctx.strokeStyle = "#222";
        ctx.beginPath();
        ctx.moveTo(bar.x, top); ctx.lineTo(bar.x, bottom);
        ctx.moveTo(bar.x - 3, top); ctx.lineTo(bar.x + 3, top);
        ctx.moveTo(bar.x - 3, bottom); ctx.lineTo(bar.x + 3, bottom);
        ctx.stroke();
        ctx.restore();
        drawn++;
      }));
      chart.canvas.dataset.errorBars = String(drawn);
    }
  };

  function render(container, experiment, options = {}) {
    if (!container.dataset.built) {
      container.innerHTML = SECTIONS;
      container.dataset.built = "true";
    }
    charts.forEach(c => c.destroy());
    charts.clear();
    const part = name => container.querySelector(`[data-part="${name}"]`);
    const runs = experiment.runs.filter(r => r.checkpoints.length > 0);
    const shown = run => options.checkpointOf ? options.checkpointOf(run) : run.checkpoints[run.checkpoints.length - 1];
    const budgets = [];
    for (const w of runs.flatMap(r => shown(r).worstCase)) {
      if (!budgets.some(b => b.norm === normOf(w) && b.eps === w.eps)) budgets.push({ norm: normOf(w), eps: w.eps });
    }
    budgets.sort((a, b) => (a.norm === b.norm ? a.eps - b.eps : a.norm === "linf" ? -1 : 1));
    const norms = [...new Set(budgets.map(b => b.norm))];
    const linf = budgets.filter(b => b.norm === "linf");
    const maxBudget = linf.length ? linf[linf.length - 1] : budgets[budgets.length - 1];
    const robustAt = (c, b) => {
      const w = c.worstCase.find(w => w.eps === b.eps && normOf(w) === b.norm);
      return w ? w.robustAccuracy : NaN;
    };
    const intervalAt = (c, b) => {
      const w = c.worstCase.find(w => w.eps === b.eps && normOf(w) === b.norm);
      return w && w.interval ? w.interval : null;
    };
    // Which procedure found the budget's breaks, and a randomized model's expected single-draw accuracy.
    const attr = text => String(text).replace(/[&<>"]/g, ch => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]);
    const foundAt = (c, b) => {
      const w = c.worstCase.find(w => w.eps === b.eps && normOf(w) === b.norm);
      if (!w) return "";
      const by = w.foundBy ? Object.entries(w.foundBy).map(([k, v]) => `${k} ${v}`).join(", ") : "";
      const i = w.singleDraw && w.singleDraw.interval;
      const draw = w.singleDraw ? `; one draw: ${fmt(w.singleDraw.expected)}` +
        (i ? ` [${fmt(i[0])}, ${fmt(i[1])}]` : "") + ` over ${w.singleDraw.draws} draws` : "";
      return by ? `broken by: ${by}${draw}` : draw;
    };
    // An accuracy with its exact 95% interval under it (reports written before intervals have none).
    const withInterval = (value, interval) => fmt(value) +
      (interval ? `<br><span class="ci">[${fmt(interval[0])}, ${fmt(interval[1])}]</span>` : "");
    function chart(id, config) {
      const canvas = container.querySelector(`canvas[id="${id}"]`);
      config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, config.options || {});
      charts.set(id, new Chart(canvas, config));
      canvas.dataset.rendered = "true";
    }
    function figure(grid, id, caption) {
      const f = document.createElement("figure");
      f.innerHTML = `<div class="box"><canvas id="${id}"></canvas></div><figcaption></figcaption>`;
      f.lastChild.textContent = caption;
      grid.appendChild(f);
    }
    const color = i => COLORS[i % COLORS.length];

    part("lead").textContent = `${runs.length} defenses` + (experiment.createdAt ? `, created ${experiment.createdAt}` : "")
      + ". Budgets: " + norms.map(n => `${NORM_NAMES[n]} ε ∈ {${budgets.filter(b => b.norm === n).map(b => b.eps).join(", ")}}`)
        .join("; ") + " (images in [0, 1]).";

    // Mosbach et al.'s check, when the experiment ran it: each defense under a weak configuration and the full suite.
    const breach = experiment.weakAgainstFull || [];
    part("breach-section").hidden = breach.length === 0;
    part("breach").tBodies[0].replaceChildren();
    for (const defense of breach) {
      for (const r of defense.rows) {
        const tr = part("breach").tBodies[0].insertRow();
        tr.dataset.run = defense.runId;
        const ci = i => i ? ` [${fmt(i[0])}, ${fmt(i[1])}]` : "";
        const verdict = (suspected, fired) => suspected ? `suspected: ${fired.join(", ")}` : "not suspected";
        const b = (defense.breach || []).find(x => x.budget === r.budget);
        const p = v => v < 0.001 ? "<0.001" : fmt(v);
        const cells = [defense.defense, defense.seed ?? "", defense.clean == null ? "" : fmt(defense.clean), r.budget,
          fmt(r.weak) + ci(r.weakInterval), fmt(r.full) + ci(r.fullInterval),
          `${fmt(r.lost)} (${Math.round(100 * r.lostShare)}%)`,
          b ? `${signed(b.weakOverPlain)} (${p(b.weakOverPlainP)})` : "",
          b ? `${signed(b.fullOverPlain)} [${signed(b.fullLower)}, ${signed(b.fullUpper)}]` : "",
          b ? b.answer : "(the reference)", verdict(r.weakSuspected, r.weakIndicators),
          verdict(r.fullSuspected, r.fullIndicators)];
        for (const text of cells) tr.insertCell().textContent = text;
        tr.children[10].className = r.weakSuspected ? "fail" : "pass";
        tr.children[11].className = r.fullSuspected ? "fail" : "pass";
      }
    }
    part("breach-pooled").tBodies[0].replaceChildren();
    for (const b of experiment.breachOverSeeds || []) {
      const tr = part("breach-pooled").tBodies[0].insertRow();
      const bounds = (v, i) => i ? `${signed(v)} [${signed(i[0])}, ${signed(i[1])}]` : "";
      for (const text of [b.defense, b.budget, `${b.trained} of ${b.seeds}`, bounds(b.weakOverPlain, b.weakBounds),
        bounds(b.fullOverPlain, b.fullBounds), b.answer]) tr.insertCell().textContent = text;
    }
    part("breach-evidence").replaceChildren(...breach.flatMap(d => (d.weakEvidence || []).map(c => {
      const li = document.createElement("li");
      li.textContent = `${d.defense}, weak evaluation: ${c.name}: ${c.detail}${c.fix ? " → " + c.fix : ""}`;
      return li;
    })));
    if (breach.length) {
      part("breach-note").textContent = `Weak: ${breach[0].weakAttacks}. Full: ${breach[0].fullAttacks}. "Lost" is the `
        + "robust accuracy the weak configuration claimed and the full suite took away (its share of the weak figure). "
        + "Per seed, the defense minus plain training of the same seed on the same images (exact McNemar p; Newcombe's "
        + "one-sided bounds); per defense, those differences per image averaged over the seeds that trained (sign flips "
        + "over the images, Student t bounds, Holm over the defenses). Breach shown: a weak gain at p < 0.05 and a "
        + "full-suite gain under 0.02; refuted: a full-suite gain above 0.02 or no weak gain; did not train: clean "
        + "accuracy over 0.2 below plain's.";
    }

    const summary = part("summary");
    // Everything from a report goes in as text: a defense, an ε or a check name is data, never markup.
    const head = document.createElement("tr");
    for (const h of ["defense", "epoch", "clean", ...budgets.map(b => `robust ${budgetLabel(b)}`), "masking", "logit gap",
      "gradient gap", "Spearman (Eq. 4 vs FGSM)"]) {
      head.appendChild(document.createElement("th")).textContent = h;
    }
    summary.tHead.replaceChildren(head);
    summary.tBodies[0].innerHTML = "";
    for (const run of runs) {
      const c = shown(run);
      const tr = document.createElement("tr");
      tr.dataset.run = run.runId || run.defense;
      tr.innerHTML = `<td></td><td class="num"></td><td class="num">${withInterval(c.cleanAccuracy, c.cleanInterval)}</td>` +
        budgets.map(b => `<td class="num" title="${attr(foundAt(c, b))}">${withInterval(robustAt(c, b),
          intervalAt(c, b))}</td>`).join("") +
        `<td class="${c.masking.suspected ? "fail" : "pass"}">${c.masking.suspected ? "suspected" : "not suspected"}</td>` +
        `<td class="num">${fmt(c.gaps && c.gaps.logitGapMedian)}</td><td class="num">${fmt(c.gaps && c.gaps.gradientGapL1Median, 2)}</td>` +
        `<td class="num">${fmt(c.gaps && c.gaps.spearmanPredictedVsFgsm, 2)}</td>`;
      tr.firstChild.textContent = run.defense;
      tr.children[1].textContent = c.epoch;
      summary.tBodies[0].appendChild(tr);
    }

    chart("accuracy", {
      type: "bar",
      data: {
        labels: runs.map(r => r.defense),
        datasets: [{ label: "clean", data: runs.map(r => shown(r).cleanAccuracy), backgroundColor: "#999",
          intervals: runs.map(r => shown(r).cleanInterval) }]
          .concat(budgets.map((b, i) => ({ label: `robust ${budgetLabel(b)}`, data: runs.map(r => robustAt(shown(r), b)),
            backgroundColor: color(i), intervals: runs.map(r => intervalAt(shown(r), b)) })))
      },
      options: { scales: { y: axis("accuracy", { min: 0, max: 1 }) } },
      plugins: [ERROR_BARS]
    });

    // Robust accuracy against ε per attack: one chart per defense and norm.
    const epsGrid = part("eps-grid");
    epsGrid.innerHTML = "";
    runs.forEach((run, i) => norms.forEach(norm => {
      const id = `eps-${i}-${norm === "l2" ? "l2" : "linf"}`; // an id from data would be markup from data
      figure(epsGrid, id, `${run.defense} (epoch ${shown(run).epoch}), ${NORM_NAMES[norm]}`);
      const inNorm = shown(run).attacks.filter(a => normOf(a) === norm);
      const names = [...new Set(inNorm.map(a => a.name))];
      chart(id, {
        type: "line",
        data: {
          datasets: names.map((name, k) => ({ label: name, borderColor: color(k), backgroundColor: color(k),
            data: inNorm.filter(a => a.name === name).map(a => ({ x: a.eps, y: a.robustAccuracy })) }))
            .concat([{ label: "worst case", borderColor: "#000", borderDash: [6, 3],
              data: shown(run).worstCase.filter(w => normOf(w) === norm).map(w => ({ x: w.eps, y: w.robustAccuracy })) }])
        },
        options: { scales: { x: axis(`${NORM_NAMES[norm]} ε`, { type: "linear" }), y: axis("robust accuracy", { min: 0, max: 1 }) } }
      });
    }));

    const byEpoch = { x: axis("epoch", { type: "linear", ticks: { stepSize: 1 } }), y: axis("accuracy", { min: 0, max: 1 }) };
    chart("epochs", {
      type: "line",
      data: {
        datasets: runs.flatMap((run, i) => [
          { label: run.defense, borderColor: color(i), backgroundColor: color(i),
            data: run.checkpoints.map(c => ({ x: c.epoch, y: robustAt(c, maxBudget) })) },
          { label: run.defense + " (clean)", borderColor: color(i), borderDash: [4, 4], pointRadius: 0,
            data: run.checkpoints.map(c => ({ x: c.epoch, y: c.cleanAccuracy })) }])
      },
      options: { scales: byEpoch }
    });
    // Per run, every budget over the epochs.
    const epochsGrid = part("epochs-grid");
    epochsGrid.innerHTML = "";
    runs.forEach((run, i) => {
      const id = `epochs-${i}`;
      figure(epochsGrid, id, `${run.defense}: worst-case robust accuracy per budget over epochs`);
      chart(id, {
        type: "line",
        data: {
          datasets: budgets.map((b, k) => ({ label: budgetLabel(b), borderColor: color(k), backgroundColor: color(k),
            data: run.checkpoints.map(c => ({ x: c.epoch, y: robustAt(c, b) })) }))
            .concat([{ label: "clean", borderColor: "#999", borderDash: [4, 4],
              data: run.checkpoints.map(c => ({ x: c.epoch, y: c.cleanAccuracy })) }])
        },
        options: { scales: byEpoch }
      });
    });

    function histogramSeries(run, key) {
      const gaps = shown(run).gaps;
      const h = gaps && gaps.histograms ? gaps.histograms[key] : null;
      if (!h || h.counts.length === 0) return [];
      const total = h.counts.reduce((a, b) => a + b, 0) || 1;
      return h.counts.map((c, i) => ({ x: (h.edges[i] + h.edges[i + 1]) / 2, y: c / total }));
    }
    for (const [id, key, label] of [["logit-gap", "logitGap", "logit gap"], ["gradient-gap", "gradientGapL1", "gradient gap (ℓ1)"],
                                    ["cosine", "gradientCosine", "cos(∇z_y, ∇z_j)"]]) {
      chart(id, {
        type: "scatter",
        data: { datasets: runs.map((run, i) => ({ label: run.defense, showLine: true, pointRadius: 1.5,
          borderColor: color(i), backgroundColor: color(i), data: histogramSeries(run, key) })) },
        options: { scales: { x: axis(label), y: axis("share of examples", { min: 0 }) } }
      });
    }

    chart("predicted-vs-actual", {
      type: "scatter",
      data: { datasets: runs.map((run, i) => ({ label: run.defense, pointRadius: 2, backgroundColor: color(i),
        borderColor: color(i), data: ((shown(run).gaps || {}).predictedVsFgsm || []).map(p => ({ x: num(p[0]), y: num(p[1]) })) })) },
      options: { scales: { x: axis("predicted ε (Eq. 4)", { min: 0 }), y: axis("FGSM minimal ε", { min: 0 }) } }
    });

    const masking = part("masking").tBodies[0];
    masking.innerHTML = "";
    for (const run of runs) {
      for (const check of shown(run).masking.checks) {
        const tr = document.createElement("tr");
        tr.innerHTML = `<td></td><td></td>` +
          `<td class="${check.passed ? "pass" : "fail"}">${check.passed ? "pass" : "FAIL"}</td><td></td>`;
        tr.firstChild.textContent = run.defense;
        tr.children[1].textContent = check.name;
        tr.lastChild.textContent = check.detail + (!check.passed && check.fix ? " → fix: " + check.fix : "");
        masking.appendChild(tr);
      }
    }

    // Stage names come from the report: text only.
    const timeline = part("timeline").tBodies[0];
    timeline.replaceChildren();
    for (const run of runs) {
      for (const stage of shown(run).timeline || []) {
        const tr = timeline.insertRow();
        tr.insertCell().textContent = run.defense;
        tr.insertCell().textContent = stage.name;
        const cell = tr.insertCell();
        cell.className = "num";
        cell.textContent = Number(stage.seconds).toFixed(1);
        for (const count of [stage.passes?.forward, stage.passes?.backward]) {
          const c = tr.insertCell();
          c.className = "num";
          c.textContent = Number.isFinite(num(count)) ? num(count).toLocaleString("en") : "–";
        }
      }
    }
  }

  return { render };
})();
