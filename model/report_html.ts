/**
 * Renders the evaluation as a self-contained HTML page (no external assets):
 * the comparison table, Qini curves as inline SVG, per-offer Qini, MAP@7 for
 * the next product, coverage and diversity.
 *
 * @module
 */

import type { EvaluationReport } from "./evaluate.ts";

const COLORS = ["#d9480f", "#1971c2", "#2f9e44", "#ae3ec9", "#f08c00", "#0c8599", "#495057", "#c2255c"];

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const fixed = (value: number, digits = 4) => Number.isFinite(value) ? value.toFixed(digits) : "—";

function qiniSvg(report: EvaluationReport): string {
  const width = 640, height = 380, pad = 48;
  const curves = Object.entries(report.models);
  const ys = curves.flatMap(([, model]) => model.curve.y);
  const maxY = Math.max(1, ...ys), minY = Math.min(0, ...ys);
  const sx = (x: number) => pad + x * (width - 2 * pad);
  const sy = (y: number) => height - pad - ((y - minY) / (maxY - minY)) * (height - 2 * pad);
  const lines = curves.map(([name, model], i) => {
    const points = model.curve.x.map((x, k) => `${sx(x).toFixed(1)},${sy(model.curve.y[k]).toFixed(1)}`).join(
      " ",
    );
    return `<polyline fill="none" stroke="${
      COLORS[i % COLORS.length]
    }" stroke-width="2" points="${points}"><title>${escapeHtml(name)}</title></polyline>`;
  });
  const legend = curves.map(([name], i) =>
    `<text x="${pad + 8}" y="${pad + 14 + i * 16}" fill="${COLORS[i % COLORS.length]}" font-size="12">${
      escapeHtml(name)
    }</text>`
  );
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Qini curves">
  <line x1="${pad}" y1="${sy(0)}" x2="${width - pad}" y2="${sy(0)}" stroke="#adb5bd"/>
  <line x1="${pad}" y1="${pad}" x2="${pad}" y2="${height - pad}" stroke="#adb5bd"/>
  <text x="${width / 2}" y="${
    height - 12
  }" text-anchor="middle" font-size="12">share of clients contacted</text>
  <text x="14" y="${height / 2}" font-size="12" transform="rotate(-90 14 ${
    height / 2
  })" text-anchor="middle">incremental conversions</text>
  ${lines.join("\n  ")}
  ${legend.join("\n  ")}
</svg>`;
}

/** The report as an HTML document. */
export function renderReportHtml(report: EvaluationReport, title = "Uplift model evaluation"): string {
  const rows = Object.entries(report.models).map(([name, model]) =>
    `<tr><td>${escapeHtml(name)}</td><td>${fixed(model.qini)}</td><td>${fixed(model.auuc)}</td><td>${
      fixed(model.upliftAtK)
    }</td><td>${fixed(model.incrementalConversions, 1)}</td></tr>`
  ).join("\n");
  const offers = [...new Set(Object.values(report.models).flatMap((model) => Object.keys(model.perOffer)))];
  const perOffer = Object.entries(report.models).map(([name, model]) =>
    `<tr><td>${escapeHtml(name)}</td>${
      offers.map((offer) => `<td>${fixed(model.perOffer[offer] ?? NaN, 3)}</td>`).join("")
    }</tr>`
  ).join("\n");
  const map7 = Object.entries(report.nextProduct.map7).map(([name, value]) =>
    `<tr><td>${escapeHtml(name)}</td><td>${fixed(value)}</td></tr>`
  ).join("\n");
  const recs = Object.keys(report.recommendations.coverage).map((name) =>
    `<tr><td>${escapeHtml(name)}</td><td>${fixed(report.recommendations.coverage[name], 3)}</td><td>${
      fixed(report.recommendations.diversity[name], 3)
    }</td></tr>`
  ).join("\n");
  const skipped = Object.entries(report.skipped ?? {}).map(([name, why]) =>
    `<li>${escapeHtml(name)}: ${escapeHtml(why)}</li>`
  ).join("");
  const checks = Object.entries(report.checks).map(([name, ok]) =>
    `<li>${escapeHtml(name)}: <b>${ok ? "yes" : "no"}</b></li>`
  )
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:1100px}table{border-collapse:collapse;margin:1rem 0}
td,th{border:1px solid #dee2e6;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}</style></head>
<body><h1>${escapeHtml(title)}</h1>
<p>Generated ${
    escapeHtml(report.generatedAt)
  }. Trained on ${report.trainRows} campaign rows; evaluated on ${report.testRows}
rows of ${report.testClients} held-out clients against the generator's ground truth. Budget: top ${
    Math.round(report.budgetShare * 100)
  }% of rows.</p>
<h2>Uplift ranking</h2>
<table><tr><th>model</th><th>Qini (normalised)</th><th>AUUC (normalised)</th><th>uplift@${
    Math.round(report.budgetShare * 100)
  }%</th><th>incremental conversions at budget (true)</th></tr>
${rows}</table>
<ul>${checks}</ul>
${skipped ? `<p>Not run:</p><ul>${skipped}</ul>` : ""}
${qiniSvg(report)}
<h2>Qini per offer</h2>
<table><tr><th>model</th>${
    offers.map((offer) => `<th>${escapeHtml(offer)}</th>`).join("")
  }</tr>${perOffer}</table>
<h2>Next product (MAP@7 over ${report.nextProduct.clientMonths} client-months)</h2>
<table><tr><th>model</th><th>MAP@7</th></tr>${map7}</table>
<h2>Top-3 recommendations: coverage and diversity</h2>
<table><tr><th>model</th><th>catalog coverage</th><th>family diversity</th></tr>${recs}</table>
</body></html>
`;
}
