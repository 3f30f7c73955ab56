/**
 * The ops view (admin token): cluster nodes and partition ownership, resident
 * actors per partition, one actor's state and scores, models and jobs.
 *
 * @module
 */

import { api } from "../api.js";
import { dateTime, h, number, points, replace } from "../dom.js";
import { chartFigure, chartSet, PALETTE } from "../charts.js";
import { lang, t } from "../i18n.js";
import { adminToken, setAdminToken } from "../session.js";

/**
 * @param {HTMLElement} main
 * @returns {() => void}
 */
export function renderOps(main) {
  const charts = chartSet();
  const controller = new AbortController();
  const content = h("div", { id: "ops-content", "aria-live": "polite" });
  const tokenInput = h("input", {
    id: "ops-token",
    type: "password",
    autocomplete: "off",
    value: adminToken(),
    "aria-describedby": "ops-token-hint",
  });
  const form = h(
    "form",
    { class: "inline-fields", id: "ops-login" },
    h("div", { class: "inline-field" }, h("label", { for: "ops-token" }, t("ops.token")), tokenInput),
    h("button", { type: "submit", class: "button primary", id: "ops-connect" }, t("ops.connect")),
  );
  const load = async () => {
    charts.destroyAll();
    const token = adminToken();
    if (!token) return replace(content, h("p", { class: "empty" }, t("ops.needToken")));
    replace(content, h("p", { class: "muted" }, t("common.loading")));
    const get = (path) => api(path, { token, signal: controller.signal });
    try {
      const [cluster, actors, models, jobs] = await Promise.all([
        get("/admin/cluster"),
        get("/admin/actors?limit=50&scope=cluster"),
        get("/admin/models"),
        get("/admin/jobs"),
      ]);
      const actorDetail = h("div", { id: "ops-actor-detail", "aria-live": "polite" });
      replace(
        content,
        clusterSection(cluster),
        actorsSection(actors, charts, (userId) => showActor(actorDetail, userId, get)),
        actorDetail,
        h(
          "section",
          { class: "panel", "aria-labelledby": "ops-models-title" },
          h("h2", { id: "ops-models-title" }, t("ops.models")),
          h(
            "p",
            { id: "ops-models" },
            models.loaded
              ? t("ops.modelsLoaded", {
                source: models.source,
                trainedAt: models.trainedAt ?? "—",
                offers: models.offers.length,
              })
              : t("ops.modelsMissing", { reason: models.reason ?? "" }),
          ),
        ),
        jobsSection(jobs.jobs ?? []),
      );
    } catch (error) {
      if (error?.name === "AbortError") return;
      replace(
        content,
        h("p", { class: "error", role: "alert" }, error.status === 401 ? t("ops.wrongToken") : error.message),
      );
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    setAdminToken(tokenInput.value.trim());
    load();
  });
  replace(
    main,
    h("div", { class: "page-head" }, h("h1", {}, t("ops.title")), h("p", { class: "lead" }, t("ops.lead"))),
    h(
      "section",
      { class: "panel" },
      form,
      h("p", { class: "hint", id: "ops-token-hint" }, t("ops.tokenHint")),
    ),
    content,
  );
  load();
  return () => {
    controller.abort();
    charts.destroyAll();
  };
}

function clusterSection(cluster) {
  return h(
    "section",
    { class: "panel", "aria-labelledby": "ops-cluster-title" },
    h(
      "h2",
      { id: "ops-cluster-title" },
      t("ops.cluster", { mode: cluster.mode, partitions: cluster.partitionCount }),
    ),
    h(
      "div",
      { class: "table-scroll", tabindex: 0, role: "region", "aria-label": t("ops.nodes") },
      h(
        "table",
        { class: "table", id: "ops-nodes" },
        h("caption", {}, t("ops.nodes")),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["ops.node", "ops.alive", "ops.heartbeat", "ops.owned"].map((key) =>
              h("th", { scope: "col" }, t(key))
            ),
          ),
        ),
        h(
          "tbody",
          {},
          cluster.nodes.map((node) =>
            h(
              "tr",
              { data: { nodeId: node.nodeId } },
              h("th", { scope: "row" }, node.nodeId),
              h("td", {}, node.alive ? t("ops.yes") : t("ops.no")),
              h("td", {}, dateTime(node.heartbeatAt, lang())),
              h("td", {}, node.owned.join(", ")),
            )
          ),
        ),
      ),
    ),
  );
}

function actorsSection(actors, charts, onPick) {
  const partitions = Object.keys(actors.byPartition).map(Number).sort((a, b) => a - b);
  return h(
    "section",
    { class: "panel", "aria-labelledby": "ops-actors-title" },
    h("h2", { id: "ops-actors-title" }, t("ops.actors")),
    h(
      "p",
      { id: "ops-resident", data: { resident: actors.resident } },
      t("ops.resident", { count: actors.resident, nodes: actors.nodes?.length ?? 1 }),
    ),
    charts.add(chartFigure({
      id: "ops-partitions-chart",
      caption: t("ops.partitionsCaption"),
      summary: t("ops.resident", { count: actors.resident, nodes: actors.nodes?.length ?? 1 }),
      config: {
        type: "bar",
        data: {
          labels: partitions.map(String),
          datasets: [{
            label: t("ops.actorsPerPartition"),
            data: partitions.map((p) => actors.byPartition[p]),
            backgroundColor: PALETTE[0],
          }],
        },
        options: {
          plugins: { legend: { display: false } },
          scales: { x: { title: { display: true, text: t("ops.partition") } } },
        },
      },
    })),
    h(
      "ul",
      { class: "actor-list", id: "ops-actor-list", "aria-label": t("ops.actorList") },
      actors.actors.map((actor) =>
        h(
          "li",
          {},
          h("button", {
            type: "button",
            class: "button small",
            data: { actor: actor.userId },
            on: { click: () => onPick(actor.userId) },
          }, `${actor.userId} · p${actor.partition} · ${actor.eventsApplied}`),
        )
      ),
    ),
  );
}

async function showActor(container, userId, get) {
  replace(container, h("p", { class: "muted" }, t("common.loading")));
  try {
    const id = encodeURIComponent(userId);
    const [state, scores] = await Promise.all([
      get(`/admin/actors/${id}`),
      get(`/admin/actors/${id}/scores`).catch(() => null),
    ]);
    const row = (key, value) =>
      h("div", { class: "figure" }, h("dt", {}, t(key)), h("dd", {}, String(value ?? "—")));
    replace(
      container,
      h(
        "section",
        { class: "panel", "aria-labelledby": "ops-actor-title", data: { actor: userId } },
        h("h2", { id: "ops-actor-title" }, t("ops.actor", { id: userId })),
        h(
          "dl",
          { class: "figures" },
          row("ops.node", state.nodeId),
          row("ops.partition", state.partition),
          row("ops.offset", state.offset),
          row("ops.eventsApplied", state.eventsApplied),
          row("ops.status", state.status),
          row("ops.dirty", state.dirty ? t("ops.yes") : t("ops.no")),
          row("ops.lastSnapshot", state.lastSnapshotAt ? dateTime(state.lastSnapshotAt, lang()) : "—"),
          scores ? row("ops.clusterOf", scores.cluster + 1) : null,
        ),
        scores
          ? h(
            "ol",
            { class: "plain", id: "ops-actor-scores" },
            scores.offers.slice(0, 5).map((offer) =>
              h(
                "li",
                {},
                `${offer.productId}: ${points(offer.uplift, t("unit.pp"), lang())} (${
                  number(offer.pTreated * 100, lang(), 1)
                }% / ${number(offer.pControl * 100, lang(), 1)}%)`,
              )
            ),
          )
          : null,
      ),
    );
  } catch (error) {
    replace(container, h("p", { class: "error", role: "alert" }, error.message));
  }
}

function jobsSection(jobs) {
  return h(
    "section",
    { class: "panel", "aria-labelledby": "ops-jobs-title" },
    h("h2", { id: "ops-jobs-title" }, t("ops.jobs")),
    h(
      "ul",
      { class: "plain", id: "ops-jobs" },
      jobs.map((job) =>
        h(
          "li",
          { data: { job: job.name } },
          h("strong", {}, job.name),
          ` — ${job.description}. `,
          t("ops.jobLine", {
            runs: job.runs,
            last: job.lastFinishedAt ? dateTime(job.lastFinishedAt, lang()) : "—",
            next: job.nextRunAt ? dateTime(job.nextRunAt, lang()) : "—",
            state: job.state,
          }),
        )
      ),
    ),
  );
}
