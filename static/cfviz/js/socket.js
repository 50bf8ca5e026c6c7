/**
 * The run's websocket (docs/protocol.md §3): snapshots replace the picture, frames extend it
 * one sequence number at a time, and a gap means frames were dropped on the way (the channel
 * layer is lossy), so the client asks for a snapshot and ignores frames until it comes.
 */

/** Close code the server uses for a run that does not exist. */
export const CLOSE_NO_SUCH_RUN = 4404;
/** The deployment keeps runs to staff (protocol.md §3). */
export const CLOSE_FORBIDDEN = 4403;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];
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

export class RunSocket {
  /**
   * @param {string} url ws:// or wss:// URL of the run
   * @param {Handlers} handlers
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    /** Sequence number of the last snapshot or frame applied; null before the first snapshot. */
    this.lastSeq = null;
    this.awaitingSnapshot = true;
    this.snapshotAskedAt = performance.now();
    /** True between a snapshot and the first frame applied after it, when stale frames are expected. */
    this.justSnapshotted = false;
    this.attempt = 0;
    this.ws = null;
    this.stopped = false;
  }

  connect() {
    this.handlers.onConnection(this.attempt ? "reconnecting" : "connecting");
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.attempt = 0;
      // The server sends a snapshot first on every connection; frames before it are stale.
      this.awaitingSnapshot = true;
      this.snapshotAskedAt = performance.now();
      this.handlers.onConnection("open");
    });
    ws.addEventListener("message", (event) => this.receive(event.data));
    ws.addEventListener("close", (event) => this.closed(event));
  }

  closed(event) {
    this.ws = null;
    if (this.stopped) return;
    if (event.code === CLOSE_NO_SUCH_RUN || event.code === CLOSE_FORBIDDEN) {
      // Final answers: reconnecting would get the same one.
      this.stopped = true;
      this.handlers.onConnection(event.code === CLOSE_FORBIDDEN ? "forbidden" : "gone");
      return;
    }
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    this.handlers.onConnection("reconnecting");
    setTimeout(() => this.connect(), delay * (0.8 + Math.random() * 0.4));
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

  /** Send a command; false if the socket is not open. */
  send(command) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(command));
    return true;
  }

  close() {
    this.stopped = true;
    this.ws?.close();
  }
}
