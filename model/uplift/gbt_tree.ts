/**
 * Growing one histogram regression tree on gradients and hessians (second-order boosting step).
 *
 * Rows are partitioned in place inside one index array; each open leaf owns a `[start, end)` range of it.
 * Only the smaller child's histogram is built: the larger one is the parent's minus the smaller's.
 *
 * @module
 */

import { type FeatureBins, MISSING_BIN } from "./feature_bins.ts";

/** The largest finite float32: a threshold that sends every non-NaN value left. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** How the next leaf to split is chosen. */
export const GrowPolicy = { depthwise: "depthwise", lossguide: "lossguide" } as const;
/** One of {@link GrowPolicy}. */
export type GrowPolicy = typeof GrowPolicy[keyof typeof GrowPolicy];

/** A tree as parallel arrays; `feature[n] < 0` marks a leaf whose output is `value[n]`. */
export interface GbtTree {
  feature: number[];
  /** float32-representable; the test is `fround(x) <= threshold`. */
  threshold: number[];
  /** 1 when NaN goes to `left` (the "true" branch of BRANCH_LEQ). */
  missingLeft: number[];
  left: number[];
  right: number[];
  value: number[];
}

/** Shape limits and regularisation of one tree. */
export interface TreeGrowthParams {
  maxDepth: number;
  maxLeaves: number;
  growPolicy: GrowPolicy;
  minSamplesLeaf: number;
  minHessianLeaf: number;
  l2: number;
  minSplitGain: number;
  learningRate: number;
}

/** Training state shared by the trees of one boosting run. */
export interface TreeData {
  binned: Uint8Array;
  nCols: number;
  bins: FeatureBins;
  grad: Float64Array;
  hess: Float64Array;
  /** Row indices used by this tree; permuted in place. */
  rows: Uint32Array;
  /** Columns this tree may split on. */
  columns: Int32Array;
  scratch: Uint32Array;
  histPool: Float64Array[];
}

/** A grown tree plus what boosting needs to update scores. */
export interface GrownTree {
  tree: GbtTree;
  /** Split bin per node (-1 for leaves), to route binned rows. */
  binSplit: number[];
  leaves: { node: number; start: number; end: number }[];
}

interface Split {
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
  gl: number;
  hl: number;
  cl: number;
}

interface Leaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  c: number;
  hist: Float64Array;
  split: Split | null;
}

const STRIDE = (MISSING_BIN + 1) * 3;

function takeHist(data: TreeData): Float64Array {
  return data.histPool.pop() ?? new Float64Array(data.nCols * STRIDE);
}

function buildHist(hist: Float64Array, data: TreeData, start: number, end: number): void {
  hist.fill(0);
  const { binned, nCols, grad, hess, rows, columns } = data;
  const nf = columns.length;
  if (nf === nCols) {
    // All columns: walk the row's bins contiguously (about twice as fast as the indexed loop).
    const stop = nCols * STRIDE;
    for (let i = start; i < end; i++) {
      const r = rows[i];
      let at = r * nCols;
      const g = grad[r];
      const h = hess[r];
      for (let off = 0; off < stop; off += STRIDE) {
        const k = off + binned[at++] * 3;
        hist[k] += g;
        hist[k + 1] += h;
        hist[k + 2]++;
      }
    }
    return;
  }
  for (let i = start; i < end; i++) {
    const r = rows[i];
    const base = r * nCols;
    const g = grad[r];
    const h = hess[r];
    for (let j = 0; j < nf; j++) {
      const f = columns[j];
      const k = f * STRIDE + binned[base + f] * 3;
      hist[k] += g;
      hist[k + 1] += h;
      hist[k + 2]++;
    }
  }
}

function findSplit(leaf: Leaf, data: TreeData, p: TreeGrowthParams): Split | null {
  const { hist } = leaf;
  const parentScore = (leaf.g * leaf.g) / (leaf.h + p.l2);
  let best: Split | null = null;
  const consider = (f: number, b: number, gl: number, hl: number, cl: number, missingLeft: boolean) => {
    const gr = leaf.g - gl;
    const hr = leaf.h - hl;
    const cr = leaf.c - cl;
    if (cl < p.minSamplesLeaf || cr < p.minSamplesLeaf) return;
    if (hl < p.minHessianLeaf || hr < p.minHessianLeaf) return;
    const gain = (gl * gl) / (hl + p.l2) + (gr * gr) / (hr + p.l2) - parentScore;
    if (gain > p.minSplitGain && (best === null || gain > best.gain)) {
      best = { gain, feature: f, bin: b, missingLeft, gl, hl, cl };
    }
  };
  for (const f of data.columns) {
    const valueBins = data.bins.thresholds[f].length + 1;
    const off = f * STRIDE;
    const nanAt = off + MISSING_BIN * 3;
    const nanG = hist[nanAt];
    const nanH = hist[nanAt + 1];
    const nanC = hist[nanAt + 2];
    let gl = 0;
    let hl = 0;
    let cl = 0;
    for (let b = 0; b < valueBins; b++) {
      gl += hist[off + b * 3];
      hl += hist[off + b * 3 + 1];
      cl += hist[off + b * 3 + 2];
      if (nanC > 0) {
        consider(f, b, gl, hl, cl, false);
        if (b < valueBins - 1) consider(f, b, gl + nanG, hl + nanH, cl + nanC, true);
      } else if (b < valueBins - 1) {
        // No NaN seen here: unseen NaN at predict time follows the larger child.
        consider(f, b, gl, hl, cl, cl >= leaf.c - cl);
      }
    }
  }
  return best;
}

function partition(data: TreeData, leaf: Leaf, split: Split): number {
  const { rows, scratch, binned, nCols } = data;
  let left = leaf.start;
  let right = 0;
  for (let i = leaf.start; i < leaf.end; i++) {
    const r = rows[i];
    const b = binned[r * nCols + split.feature];
    const goLeft = b === MISSING_BIN ? split.missingLeft : b <= split.bin;
    if (goLeft) rows[left++] = r;
    else scratch[right++] = r;
  }
  rows.set(scratch.subarray(0, right), left);
  return left;
}

/** Grows one tree over `data.rows` and returns it with leaf values already scaled by the learning rate. */
export function growTree(data: TreeData, p: TreeGrowthParams): GrownTree {
  const tree: GbtTree = { feature: [], threshold: [], missingLeft: [], left: [], right: [], value: [] };
  const binSplit: number[] = [];
  const addNode = () => {
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.missingLeft.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(0);
    binSplit.push(-1);
    return tree.feature.length - 1;
  };
  const n = data.rows.length;
  let g = 0;
  let h = 0;
  for (let i = 0; i < n; i++) {
    g += data.grad[data.rows[i]];
    h += data.hess[data.rows[i]];
  }
  const root: Leaf = {
    node: addNode(),
    start: 0,
    end: n,
    depth: 0,
    g,
    h,
    c: n,
    hist: takeHist(data),
    split: null,
  };
  buildHist(root.hist, data, 0, n);
  const canSplit = (leaf: Leaf) => leaf.depth < p.maxDepth && leaf.c >= 2 * p.minSamplesLeaf;
  if (canSplit(root)) root.split = findSplit(root, data, p);
  const open: Leaf[] = [root];
  while (open.length < p.maxLeaves) {
    let pick = -1;
    for (let i = 0; i < open.length; i++) {
      const s = open[i].split;
      if (s === null) continue;
      if (pick < 0) pick = i;
      else if (p.growPolicy === GrowPolicy.lossguide && s.gain > open[pick].split!.gain) pick = i;
      // depthwise keeps the first (oldest, hence shallowest) splittable leaf
    }
    if (pick < 0) break;
    const parent = open.splice(pick, 1)[0];
    const split = parent.split!;
    const mid = partition(data, parent, split);
    const node = parent.node;
    const thresholds = data.bins.thresholds[split.feature];
    tree.feature[node] = split.feature;
    tree.threshold[node] = split.bin < thresholds.length ? thresholds[split.bin] : FLOAT32_MAX;
    tree.missingLeft[node] = split.missingLeft ? 1 : 0;
    binSplit[node] = split.bin;
    const depth = parent.depth + 1;
    const left: Leaf = {
      node: addNode(),
      start: parent.start,
      end: mid,
      depth,
      g: split.gl,
      h: split.hl,
      c: split.cl,
      hist: parent.hist,
      split: null,
    };
    const right: Leaf = {
      node: addNode(),
      start: mid,
      end: parent.end,
      depth,
      g: parent.g - split.gl,
      h: parent.h - split.hl,
      c: parent.c - split.cl,
      hist: parent.hist,
      split: null,
    };
    tree.left[node] = left.node;
    tree.right[node] = right.node;
    const [small, large] = left.c <= right.c ? [left, right] : [right, left];
    small.hist = takeHist(data);
    buildHist(small.hist, data, small.start, small.end);
    for (const f of data.columns) {
      for (let k = f * STRIDE, end = k + STRIDE; k < end; k++) large.hist[k] -= small.hist[k];
    }
    if (canSplit(left)) left.split = findSplit(left, data, p);
    if (canSplit(right)) right.split = findSplit(right, data, p);
    open.push(left, right);
  }
  const leaves: GrownTree["leaves"] = [];
  for (const leaf of open) {
    tree.value[leaf.node] = Math.fround((-leaf.g / (leaf.h + p.l2)) * p.learningRate);
    leaves.push({ node: leaf.node, start: leaf.start, end: leaf.end });
    data.histPool.push(leaf.hist);
  }
  return { tree, binSplit, leaves };
}
