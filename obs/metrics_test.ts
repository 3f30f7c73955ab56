import assert from "node:assert/strict";
import { Counter, Histogram, Registry } from "./metrics.ts";

Deno.test("Counter and Histogram series count exactly as inc and observe with the same labels", () => {
  const registry = new Registry();
  const counter = registry.add(new Counter("requests_total", "Requests"));
  const histogram = registry.add(new Histogram("request_seconds", "Latency", [0.1, 1]));
  const series = counter.series({ status: 200, route: "/x" });
  const latency = histogram.series({ route: "/x" });
  const before = registry.render();
  assert.doesNotMatch(before, /route="\/x"/, "a bound series shows once it counts");
  series.inc();
  counter.inc({ route: "/x", status: 200 }, 2);
  latency.observe(0.05);
  histogram.observe(0.5, { route: "/x" });
  assert.equal(counter.value({ route: "/x", status: 200 }), 3);
  const text = registry.render();
  assert.match(text, /request_seconds_bucket\{route="\/x",le="0.1"\} 1/);
  assert.match(text, /request_seconds_bucket\{route="\/x",le="1"\} 2/);
  assert.match(text, /request_seconds_count\{route="\/x"\} 2/);
});
