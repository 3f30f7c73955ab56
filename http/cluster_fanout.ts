/**
 * Asking every other live node for its part of a cluster-wide answer (resident actors, approach testing):
 * the answering node adds its own part and merges. Peers are the nodes whose heartbeat is at most 5 s old;
 * the admin token authenticates the call, and a peer that does not answer in time is listed, not waited for.
 *
 * @module
 */

import type { AppDeps } from "./deps.ts";

/** Heartbeats older than this mark a node as gone. */
const LIVE_MS = 5_000;

/** What the peers answered. */
export interface PeerViews<T> {
  views: T[];
  /** Live peers that did not answer in time or answered with an error. */
  unreachable: string[];
}

/** GETs `path` (with its query) from every other live node, in parallel, each within `timeoutMs`. */
export async function askPeers<T>(
  deps: Pick<AppDeps, "cluster" | "nodeId" | "adminToken" | "now">,
  path: string,
  timeoutMs: number,
): Promise<PeerViews<T>> {
  const nodes = await deps.cluster.nodes();
  const peers = nodes.filter((node) =>
    node.nodeId !== deps.nodeId && deps.now() - node.heartbeatAt.getTime() <= LIVE_MS
  );
  const answers = await Promise.all(peers.map(async (node) => {
    try {
      const response = await fetch(new URL(path, node.httpUrl), {
        headers: { authorization: `Bearer ${deps.adminToken}` },
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) {
        await response.body?.cancel();
        return null;
      }
      return (await response.json()) as T;
    } catch {
      return null;
    }
  }));
  return {
    views: answers.filter((answer): answer is Awaited<T> => answer !== null) as T[],
    unreachable: peers.filter((_, i) => answers[i] === null).map((node) => node.nodeId),
  };
}
