import assert from "node:assert/strict";
import { CircuitBreaker } from "./circuit_breaker.ts";

function breakerWithClock(failureThreshold = 3, coolDownMs = 10_000) {
  const clock = { nowMs: 1_000 };
  return { clock, breaker: new CircuitBreaker({ failureThreshold, coolDownMs, now: () => clock.nowMs }) };
}

Deno.test("CircuitBreaker opens after the failure threshold and then refuses calls", () => {
  const { breaker } = breakerWithClock(3);
  for (let i = 0; i < 2; i++) {
    assert.ok(breaker.tryAcquire());
    breaker.onFailure();
  }
  assert.equal(breaker.state, "closed");
  assert.ok(breaker.tryAcquire());
  breaker.onFailure();
  assert.equal(breaker.state, "open");
  assert.equal(breaker.opens, 1);
  assert.equal(breaker.tryAcquire(), false);
});

Deno.test("CircuitBreaker counts consecutive failures only: a success resets the count", () => {
  const { breaker } = breakerWithClock(2);
  breaker.tryAcquire();
  breaker.onFailure();
  breaker.tryAcquire();
  breaker.onSuccess();
  breaker.tryAcquire();
  breaker.onFailure();
  assert.equal(breaker.state, "closed");
  assert.equal(breaker.consecutiveFailures, 1);
});

Deno.test("CircuitBreaker half-opens after the cool-down and lets exactly one probe through", () => {
  const { clock, breaker } = breakerWithClock(1, 10_000);
  breaker.tryAcquire();
  breaker.onFailure();
  clock.nowMs += 9_999;
  assert.equal(breaker.state, "open");
  clock.nowMs += 1;
  assert.equal(breaker.state, "half_open");
  assert.ok(breaker.tryAcquire(), "the probe goes through");
  assert.equal(breaker.tryAcquire(), false, "a second caller waits for the probe");
  breaker.onSuccess();
  assert.equal(breaker.state, "closed");
  assert.ok(breaker.tryAcquire());
});

Deno.test("CircuitBreaker opens again for a full cool-down when the probe fails", () => {
  const { clock, breaker } = breakerWithClock(5, 1_000);
  for (let i = 0; i < 5; i++) {
    breaker.tryAcquire();
    breaker.onFailure();
  }
  clock.nowMs += 1_000;
  assert.ok(breaker.tryAcquire());
  breaker.onFailure();
  assert.equal(breaker.state, "open", "one failed probe is enough");
  assert.equal(breaker.opens, 2);
  clock.nowMs += 999;
  assert.equal(breaker.tryAcquire(), false);
  clock.nowMs += 1;
  assert.ok(breaker.tryAcquire());
});

Deno.test("CircuitBreaker frees the probe slot when the probe is cancelled", () => {
  const { clock, breaker } = breakerWithClock(1, 100);
  breaker.tryAcquire();
  breaker.onFailure();
  clock.nowMs += 100;
  assert.ok(breaker.tryAcquire());
  breaker.onCancel();
  assert.equal(breaker.state, "half_open");
  assert.ok(breaker.tryAcquire(), "another probe may go");
});

Deno.test("CircuitBreaker rejects nonsensical options", () => {
  assert.throws(() => new CircuitBreaker({ failureThreshold: 0 }), RangeError);
  assert.throws(() => new CircuitBreaker({ coolDownMs: -1 }), RangeError);
});
