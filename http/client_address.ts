/**
 * Who is calling, for per-IP limits. The peer address comes from the
 * connection (`Deno.serve` hands it to Hono as `c.env.remoteAddr`). Behind
 * `TRUST_PROXY_HOPS` reverse proxies, the entry those proxies appended to
 * `X-Forwarded-For` is used instead (the client can forge every entry left of
 * it, never that one). A request another engine node forwarded names the
 * original client in `x-engine-client-ip`, trusted only with a proof derived
 * from `ADMIN_TOKEN` that every node shares. IPv6 clients count per /64, the
 * block one subscriber usually gets.
 *
 * @module
 */

import { createHmac } from "node:crypto";
import type { Context } from "hono";
import { constantTimeEqual } from "./auth.ts";

/** The client's address on a forwarded request. */
export const CLIENT_IP_HEADER = "x-engine-client-ip";
/** Proof that another node set {@linkcode CLIENT_IP_HEADER}. */
export const FORWARD_PROOF_HEADER = "x-engine-forward-proof";

const proofs = new Map<string, string>();

/** The forwarding proof for a cluster's admin token (an HMAC of it, never the token itself). */
export function forwardProof(adminToken: string): string {
  let proof = proofs.get(adminToken);
  if (proof === undefined) {
    proof = createHmac("sha256", adminToken).update("engine-forward-v1").digest("base64url");
    if (proofs.size > 16) proofs.clear();
    proofs.set(adminToken, proof);
  }
  return proof;
}

/** The key an address is limited by: IPv4 as is, IPv6 by its /64, IPv4-mapped IPv6 as IPv4. */
export function addressKey(address: string): string {
  if (!address.includes(":") && !address.includes(" ")) return address;
  const text = address.trim().replace(/^\[|\]$/g, "").toLowerCase();
  if (!text.includes(":")) return text;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (mapped) return mapped[1];
  const [head, tail] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const groups = tail === undefined
    ? left
    : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

/** The client's address key from request headers and the peer address (for code outside Hono). */
export function clientAddressOf(
  header: (name: string) => string | null | undefined,
  remoteHostname: string | undefined,
  options: { trustProxyHops: number; adminToken: string },
): string | null {
  const forwarded = header(CLIENT_IP_HEADER);
  if (forwarded) {
    const proof = header(FORWARD_PROOF_HEADER) ?? "";
    if (constantTimeEqual(proof, forwardProof(options.adminToken))) return addressKey(forwarded);
  }
  if (options.trustProxyHops > 0) {
    const chain = (header("x-forwarded-for") ?? "").split(",").map((entry) => entry.trim()).filter(Boolean);
    const entry = chain[chain.length - options.trustProxyHops];
    if (entry !== undefined) return addressKey(entry);
  }
  return remoteHostname ? addressKey(remoteHostname) : null;
}

/** The client's address key, or null when the request did not come over a connection (in-process calls). */
export function clientAddress(
  c: Context,
  options: { trustProxyHops: number; adminToken: string },
): string | null {
  const remote = (c.env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr?.hostname;
  return clientAddressOf((name) => c.req.header(name), remote, options);
}
