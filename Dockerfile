# The engine image. kafkajs and postgres.js are pure JavaScript, so the image
# needs no native Kafka or Postgres client libraries.
FROM denoland/deno:debian-2.9.6

WORKDIR /app
COPY deno.json deno.lock* package.json package-lock.json .npmrc ./
COPY . .
# The image has no npm: `deno task install` falls back to `deno install` and puts the sharp stub in place.
RUN deno task install && deno cache main.ts

ENV PORT=8080
EXPOSE 8080
USER deno
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["deno", "eval", "const r = await fetch('http://127.0.0.1:8080/healthz'); Deno.exit(r.ok ? 0 : 1)"]
CMD ["deno", "run", "--allow-all", "--v8-flags=--max-old-space-size=8192", "main.ts"]
