const N = 50000, F = 40, S = 64 * 3;
const binned = new Uint8Array(N * F);
for (let i = 0; i < binned.length; i++) binned[i] = (Math.random() * 64) | 0;
const grad = new Float64Array(N).map(() => Math.random()),
  hess = new Float64Array(N).map(() => Math.random());
const gh = new Float64Array(2 * N);
for (let i = 0; i < N; i++) {
  gh[2 * i] = grad[i];
  gh[2 * i + 1] = hess[i];
}
const rows = Uint32Array.from({ length: N }, (_, i) => i);
const cols = Int32Array.from({ length: F }, (_, i) => i);
const hist = new Float64Array(F * S);
function a() {
  hist.fill(0);
  for (let i = 0; i < N; i++) {
    const r = rows[i], base = r * F, g = grad[r], h = hess[r];
    for (let j = 0; j < F; j++) {
      const f = cols[j];
      const k = f * S + binned[base + f] * 3;
      hist[k] += g;
      hist[k + 1] += h;
      hist[k + 2] += 1;
    }
  }
}
function b() {
  hist.fill(0);
  for (let i = 0; i < N; i++) {
    const r = rows[i];
    let base = r * F;
    const g = gh[2 * r], h = gh[2 * r + 1];
    for (let off = 0, end = F * S; off < end; off += S) {
      const k = off + binned[base++] * 3;
      hist[k] += g;
      hist[k + 1] += h;
      hist[k + 2]++;
    }
  }
}
const cnt = new Uint32Array(F * 64);
const h2 = new Float64Array(F * 128);
function c() {
  h2.fill(0);
  cnt.fill(0);
  for (let i = 0; i < N; i++) {
    const r = rows[i];
    let base = r * F;
    const g = gh[2 * r], h = gh[2 * r + 1];
    for (let off = 0, end = F * 64; off < end; off += 64) {
      const bb = off + binned[base++];
      const k = bb << 1;
      h2[k] += g;
      h2[k + 1] += h;
      cnt[bb]++;
    }
  }
}
const h3 = new Float32Array(F * 128);
function d() {
  h3.fill(0);
  cnt.fill(0);
  for (let i = 0; i < N; i++) {
    const r = rows[i];
    let base = r * F;
    const g = gh[2 * r], h = gh[2 * r + 1];
    for (let off = 0, end = F * 64; off < end; off += 64) {
      const bb = off + binned[base++];
      const k = bb << 1;
      h3[k] += g;
      h3[k + 1] += h;
      cnt[bb]++;
    }
  }
}
for (
  const [name, fn] of [["a", a], ["b", b], ["c", c], ["d", d], ["a", a], ["b", b], ["c", c], [
    "d",
    d,
  ]] as const
) {
  const t = performance.now();
  for (let k = 0; k < 20; k++) fn();
  console.log(name, ((performance.now() - t) / 20).toFixed(2), "ms per full hist");
}
const hg = new Float64Array(F * 64), hh = new Float64Array(F * 64), hc = new Float64Array(F * 64);
function e() {
  hg.fill(0);
  hh.fill(0);
  hc.fill(0);
  for (let i = 0; i < N; i++) {
    const r = rows[i];
    let base = r * F;
    const g = gh[2 * r], h = gh[2 * r + 1];
    for (let off = 0, end = F * 64; off < end; off += 64) {
      const bb = off + binned[base++];
      hg[bb] += g;
      hh[bb] += h;
      hc[bb]++;
    }
  }
}
// two rows at once
function f2() {
  hist.fill(0);
  let i = 0;
  for (; i + 1 < N; i += 2) {
    const r = rows[i], r2 = rows[i + 1];
    let base = r * F, base2 = r2 * F;
    const g = gh[2 * r], h = gh[2 * r + 1], g2 = gh[2 * r2], h2_ = gh[2 * r2 + 1];
    for (let off = 0, end = F * S; off < end; off += S) {
      const k = off + binned[base++] * 3;
      hist[k] += g;
      hist[k + 1] += h;
      hist[k + 2]++;
      const k2 = off + binned[base2++] * 3;
      hist[k2] += g2;
      hist[k2 + 1] += h2_;
      hist[k2 + 2]++;
    }
  }
}
for (const [name, fn] of [["e", e], ["f2", f2], ["e", e], ["f2", f2], ["b", b]] as const) {
  const t = performance.now();
  for (let k = 0; k < 20; k++) fn();
  console.log(name, ((performance.now() - t) / 20).toFixed(2), "ms per full hist");
}
