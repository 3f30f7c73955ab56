import assert from "node:assert/strict";
import postgres from "postgres";
import { PrivatePostgres } from "./private_postgres.ts";

Deno.test("PrivatePostgres stops and starts its own server and keeps committed rows", async () => {
  await using server = await PrivatePostgres.start();
  assert.notEqual(server.port, 5432);
  const sql = postgres(server.url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`create table kept (id int primary key)`;
    await sql`insert into kept values (1), (2)`;
    await server.stop("fast");
    assert.equal(server.running, false);
    await assert.rejects(sql`select 1`);
    await server.resume();
    const rows = await sql<{ count: number }[]>`select count(*)::int as count from kept`;
    assert.equal(rows[0].count, 2);
    await server.stop("immediate");
    await server.resume();
    const again = await sql<{ count: number }[]>`select count(*)::int as count from kept`;
    assert.equal(again[0].count, 2);
  } finally {
    await sql.end({ timeout: 1 });
  }
});
