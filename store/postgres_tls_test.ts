/**
 * TLS to Postgres for real: a private server (never the shared one) with `ssl=on` and a certificate signed by
 * a CA this test makes with openssl, reached through the engine's own configuration path
 * (`DATABASE_URL` with `sslmode`/`sslrootcert`, or `DATABASE_SSL_CA`) and `Store.connect`.
 */

import assert from "node:assert/strict";
import { PrivatePostgres } from "../chaos/private_postgres.ts";
import { loadConfig } from "../engine/config.ts";
import { Store } from "./store.ts";

async function openssl(dir: string, args: string[]): Promise<void> {
  const result = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" })
    .output();
  if (!result.success) throw new Error(`openssl ${args[0]}: ${new TextDecoder().decode(result.stderr)}`);
}

/** A self-signed CA certificate `<file>.pem` with its key `<file>.key`. */
function selfSignedCa(dir: string, name: string, file: string): Promise<void> {
  return openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    `/CN=${name}`,
    "-keyout",
    `${file}.key`,
    "-out",
    `${file}.pem`,
  ]);
}

/** A CA, and a server certificate it signed for 127.0.0.1 only (no DNS name, so "localhost" must not verify). */
async function makeCertificates(dir: string): Promise<void> {
  await selfSignedCa(dir, "engine test CA", "ca");
  await openssl(dir, [
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
  ]);
  await Deno.writeTextFile(`${dir}/san.ext`, "subjectAltName=IP:127.0.0.1\n");
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "san.ext",
    "-out",
    "server.pem",
  ]);
  // Another CA that signed nothing here: a server it does not vouch for must be refused.
  await selfSignedCa(dir, "someone else", "other");
}

/** The server reads its key as its own user (root runs it as postgres), and refuses a key others can read. */
async function handToServer(dir: string): Promise<void> {
  if (Deno.uid() !== 0) return;
  const id = (flag: string) =>
    new Deno.Command("id", { args: [flag, "postgres"], stdout: "piped" }).output().then((out) =>
      Number(new TextDecoder().decode(out.stdout).trim())
    );
  const [uid, gid] = await Promise.all([id("-u"), id("-g")]);
  await Deno.chown(dir, uid, gid);
  for (const file of ["server.key", "server.pem"]) await Deno.chown(`${dir}/${file}`, uid, gid);
}

Deno.test("Store speaks TLS to Postgres: verify-full checks the chain and the host, disable stays plain", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pg-tls-" });
  try {
    await makeCertificates(dir);
    await Deno.chmod(`${dir}/server.key`, 0o600);
    await handToServer(dir);
    await using server = await PrivatePostgres.start({
      settings: { ssl: "on", ssl_cert_file: `${dir}/server.pem`, ssl_key_file: `${dir}/server.key` },
    });
    const base = `postgres://postgres@127.0.0.1:${server.port}/postgres`;
    const connect = async (env: Record<string, string>) => {
      const config = loadConfig({ KAFKA_BROKERS: "127.0.0.1:9092", ...env });
      return await Store.connect(config.databaseUrl!, { max: 1, tls: config.databaseTls });
    };
    const encrypted = async (store: Store) => {
      const [row] = await store.sql<{ ssl: boolean; version: string | null }[]>`
        select ssl, version from pg_stat_ssl where pid = pg_backend_pid()`;
      return row;
    };

    const verified = await connect({ DATABASE_URL: `${base}?sslmode=verify-full&sslrootcert=${dir}/ca.pem` });
    try {
      const session = await encrypted(verified);
      assert.equal(session.ssl, true);
      assert.match(session.version ?? "", /^TLSv1\.[23]$/);
    } finally {
      await verified.close();
    }

    // DATABASE_SSL_CA alone means verify-full with that CA.
    const byEnv = await connect({ DATABASE_URL: base, DATABASE_SSL_CA: `${dir}/ca.pem` });
    try {
      assert.equal((await encrypted(byEnv)).ssl, true);
    } finally {
      await byEnv.close();
    }

    // A CA that did not sign the server's certificate: refused before any query.
    const stranger = await connect({
      DATABASE_URL: `${base}?sslmode=verify-full&sslrootcert=${dir}/other.pem`,
    });
    try {
      await assert.rejects(() => stranger.sql`select 1`, /certificate|self.signed|verify/i);
    } finally {
      await stranger.close();
    }

    // The certificate names 127.0.0.1, not localhost: verify-full refuses the host, verify-ca checks the chain only.
    const local = `postgres://postgres@localhost:${server.port}/postgres`;
    const wrongHost = await connect({
      DATABASE_URL: `${local}?sslmode=verify-full&sslrootcert=${dir}/ca.pem`,
    });
    try {
      await assert.rejects(() => wrongHost.sql`select 1`, /localhost|altname|host/i);
    } finally {
      await wrongHost.close();
    }
    const chainOnly = await connect({ DATABASE_URL: `${local}?sslmode=verify-ca&sslrootcert=${dir}/ca.pem` });
    try {
      assert.equal((await encrypted(chainOnly)).ssl, true);
    } finally {
      await chainOnly.close();
    }

    const plain = await connect({ DATABASE_URL: `${base}?sslmode=disable` });
    try {
      assert.equal((await encrypted(plain)).ssl, false);
    } finally {
      await plain.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
