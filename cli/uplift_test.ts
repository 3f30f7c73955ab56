import assert from "node:assert/strict";
import { qiniAucScore } from "../model/uplift/metrics.ts";
import { generateRct } from "../model/uplift/synthetic_rct.ts";
import { progressReporter } from "./uplift.ts";

const CLI = new URL("./uplift.ts", import.meta.url).pathname;

async function run(...args: string[]): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    stdout: "null",
    stderr: "piped",
  })
    .output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

/** A trial as CSV: categorical channel, missing numerics written as empty/NA, treatment and outcome columns. */
function rctCsv(nRows: number, seed: number, withLabels: boolean) {
  const rct = generateRct(nRows, { seed, noiseFeatures: 2 });
  const names = rct.featureNames.slice(0, -1);
  const header = [...names, "channel", ...(withLabels ? ["offer", "converted"] : [])];
  const lines = [header.join(",")];
  for (let r = 0; r < nRows; r++) {
    const cells = names.map((_, f) => {
      const v = rct.features[r * rct.nCols + f];
      return Number.isNaN(v) ? (r % 2 ? "" : "NA") : String(v);
    });
    cells.push(r % 50 === 0 ? "" : rct.channel[r]);
    if (withLabels) cells.push(String(rct.treatment[r]), String(rct.outcome[r]));
    lines.push(cells.join(","));
  }
  return { text: lines.join("\n") + "\n", rct };
}

Deno.test("uplift CLI fits, writes model files and predicts uplift in input order", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const train = rctCsv(8000, 31, true);
    const score = rctCsv(3000, 32, true);
    await Deno.writeTextFile(`${dir}/train.csv`, train.text);
    await Deno.writeTextFile(`${dir}/score.csv`, score.text);
    const fit = await run(
      "fit",
      "--train",
      `${dir}/train.csv`,
      "--treatment",
      "offer",
      "--outcome",
      "converted",
      "--model",
      `${dir}/m`,
    );
    assert.equal(fit.code, 0, fit.stderr);
    assert.match(fit.stderr, /training 100%/);
    assert.ok((await Deno.stat(`${dir}/m/model.onnx`)).size > 1000);
    const predicted = await run(
      "predict",
      "--model",
      `${dir}/m`,
      "--data",
      `${dir}/score.csv`,
      "--out",
      `${dir}/out.csv`,
    );
    assert.equal(predicted.code, 0, predicted.stderr);
    const lines = (await Deno.readTextFile(`${dir}/out.csv`)).trimEnd().split("\n");
    assert.equal(lines[0], "uplift");
    assert.equal(lines.length, 3001);
    const uplift = lines.slice(1).map(Number);
    assert.ok(uplift.every(Number.isFinite));
    const qini = qiniAucScore(score.rct.outcome, uplift, score.rct.treatment);
    const oracle = qiniAucScore(score.rct.outcome, score.rct.trueUplift, score.rct.treatment);
    assert.ok(qini > 0.5 * oracle, `qini ${qini}, oracle ${oracle}`);
    // Rows without treatment/outcome columns score the same, and order follows the input.
    const unlabeled = rctCsv(3000, 32, false);
    await Deno.writeTextFile(`${dir}/plain.csv`, unlabeled.text);
    assert.equal(
      (await run("predict", "--model", `${dir}/m`, "--data", `${dir}/plain.csv`, "--out", `${dir}/o2.csv`))
        .code,
      0,
    );
    assert.deepEqual((await Deno.readTextFile(`${dir}/o2.csv`)).trimEnd().split("\n"), lines);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("uplift CLI exits 2 with one clear line for bad usage and bad files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/empty.csv`, "");
    await Deno.writeTextFile(`${dir}/ragged.csv`, "a,t,y\n1,0,1\n2,1\n");
    await Deno.writeTextFile(`${dir}/bad_t.csv`, "a,t,y\n1,0,1\n2,yes,0\n");
    const cases: [string[], RegExp][] = [
      [["frobnicate"], /Unknown command frobnicate/],
      [["fit", "--train", `${dir}/empty.csv`], /Missing --treatment/],
      [
        ["fit", "--train", `${dir}/empty.csv`, "--treatment", "t", "--outcome", "y", "--model", dir],
        /is empty/,
      ],
      [
        ["fit", "--train", `${dir}/ragged.csv`, "--treatment", "t", "--outcome", "y", "--model", dir],
        /Line 3 has 2 fields/,
      ],
      [
        ["fit", "--train", `${dir}/bad_t.csv`, "--treatment", "t", "--outcome", "y", "--model", dir],
        /"yes" on line 3/,
      ],
      [
        ["fit", "--train", `${dir}/bad_t.csv`, "--treatment", "z", "--outcome", "y", "--model", dir],
        /column z is not/,
      ],
      [
        ["fit", "--train", `${dir}/none.csv`, "--treatment", "t", "--outcome", "y", "--model", dir],
        /Cannot read/,
      ],
      [
        ["predict", "--model", `${dir}/nowhere`, "--data", `${dir}/ragged.csv`, "--out", `${dir}/o.csv`],
        /model.json/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await run(...args);
      assert.equal(result.code, 2, args.join(" "));
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("progressReporter draws a bar on a TTY and percentage lines otherwise", () => {
  const plain: string[] = [];
  const report = progressReporter(false, (t) => plain.push(t));
  for (let i = 1; i <= 40; i++) report(i, 40);
  assert.equal(plain.length, 11);
  assert.equal(plain[0], "training 0%\n");
  assert.equal(plain.at(-1), "training 100%\n");
  const tty: string[] = [];
  progressReporter(true, (t) => tty.push(t))(20, 40);
  assert.equal(tty[0], "\r[###############...............] 20/40 trees");
});
