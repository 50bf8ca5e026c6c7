/**
 * The run's websocket (docs/protocol.md §3): snapshots replace the picture, frames extend it
 * one sequence number at a time, and a gap means frames were dropped on the way (the channel
 * layer is lossy), so the client asks for a snapshot and ignores frames until it comes.
 */

import { ReconnectingSocket } from "./reconnecting_socket.js";

/** Ask again if a requested snapshot has not come after this long. */
const SNAPSHOT_RETRY_MS = 5000;

/**
 * @typedef {{
 *   onSnapshot: (msg: object) => void,
 *   onFrame: (msg: object) => void,
 *   onError: (msg: object) => void,
 *   onConnection: (state: "connecting"|"open"|"reconnecting"|"gone"|"forbidden") => void,
 * }} Handlers
 */

export class RunSocket extends ReconnectingSocket {
  /**
   * @param {string} url ws:// or wss:// URL of the run
   * @param {Handlers} handlers
   */
  constructor(url, handlers) {
    super(url, handlers);
    /** Sequence number of the last snapshot or frame applied; null before the first snapshot. */
    this.lastSeq = null;
    this.awaitingSnapshot = true;
    this.snapshotAskedAt = performance.now();
    /** True between a snapshot and the first frame applied after it, when stale frames are expected. */
    this.justSnapshotted = false;
  }

  opened() {
    // The server sends a snapshot first on every connection; frames before it are stale.
    this.awaitingSnapshot = true;
    this.snapshotAskedAt = performance.now();
  }

  receive(data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (msg.type === "snapshot") {
      this.awaitingSnapshot = false;
      this.justSnapshotted = true;
      this.lastSeq = msg.seq;
      this.handlers.onSnapshot(msg);
    } else if (msg.type === "frame") {
      this.frame(msg);
    } else if (msg.type === "error") {
      this.handlers.onError(msg);
    }
  }

  frame(msg) {
    if (this.awaitingSnapshot) {
      if (performance.now() - this.snapshotAskedAt > SNAPSHOT_RETRY_MS) this.requestSnapshot();
      return;
    }
    if (msg.seq === this.lastSeq + 1) {
      this.lastSeq = msg.seq;
      this.justSnapshotted = false;
      this.handlers.onFrame(msg);
      // The server sends `resync` instead of more records than can be animated one by one.
      if (msg.resync) this.requestSnapshot();
      return;
    }
    // Frames the snapshot already covers arrive right after it; anything else is a gap.
    if (this.justSnapshotted && msg.seq <= this.lastSeq) return;
    this.requestSnapshot();
  }

  requestSnapshot() {
    this.awaitingSnapshot = true;
    this.snapshotAskedAt = performance.now();
    this.send({ command: "snapshot" });
  }

}
