/**
 * `deno task kafka:mock`: runs a librdkafka mock cluster (3 brokers by
 * default) with the engine's topics, prints `KAFKA_BROKERS=...`, and stays up
 * until interrupted. For local multi-node runs without a Kafka install.
 *
 * @module
 */

import { TOPICS } from "./bus.ts";
import { MockKafkaCluster } from "./mock_cluster.ts";

if (import.meta.main) {
  const brokers = Number(Deno.env.get("MOCK_BROKERS") ?? 3);
  const partitions = Number(Deno.env.get("MOCK_PARTITIONS") ?? 12);
  const cluster = MockKafkaCluster.start({
    brokers,
    topics: Object.fromEntries(Object.values(TOPICS).map((topic) => [topic, partitions])),
  });
  console.log(`KAFKA_BROKERS=${cluster.bootstrapServers}`);
  const stop = () => {
    cluster.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  // Keep the event loop alive; the brokers run on librdkafka's own threads.
  setInterval(() => {}, 1 << 30);
}
