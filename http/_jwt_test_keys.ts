/**
 * Keys and tokens for the JWT tests: RSA key pairs in JWKS form, and RS256/HS256 signing the way an identity
 * provider does.
 *
 * @module
 */

const encoder = new TextEncoder();

/** Base64url without padding, as JWTs and JWKS write bytes. */
export function b64url(bytes: Uint8Array | string): string {
  const raw = typeof bytes === "string" ? encoder.encode(bytes) : bytes;
  return btoa(String.fromCharCode(...raw)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A fresh 2048-bit RS256 key pair: the private key, and the public key as a JWKS entry named `kid`. */
export async function rsaKeyPair(kid: string) {
  const pair = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
  const jwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
  return {
    privateKey: pair.privateKey,
    jwk: { kty: "RSA", kid, n: jwk.n, e: jwk.e, alg: "RS256", use: "sig" },
  };
}

/** A JWT with `header` and `claims`, signed RS256 with `privateKey`. */
export async function signRs256(
  privateKey: CryptoKey,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
) {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", privateKey, encoder.encode(input));
  return `${input}.${b64url(new Uint8Array(signature))}`;
}

/** A JWT with `header` and `claims`, signed HS256 with `secret`. */
export async function signHs256(
  secret: Uint8Array | string,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
) {
  const key = await crypto.subtle.importKey(
    "raw",
    typeof secret === "string" ? encoder.encode(secret) : new Uint8Array(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(input))))}`;
}
