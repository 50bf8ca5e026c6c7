/**
 * A fleet run's websocket (docs/fleet.md §3): a JSON snapshot with the layout first, then
 * binary frames, one per platform, each carrying the whole aggregated state. A lost frame
 * therefore needs no resync, unlike a detailed run's socket (socket.js): the next one
 * replaces it. JSON messages besides the snapshot are errors and answers to `fleet_query`.
 */

import { CLOSE_FORBIDDEN, CLOSE_NO_SUCH_RUN } from "./socket.js";
import { decodeFrame } from "./fleet_frame.js";

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];

/**
 * @typedef {{
 *   onSnapshot: (msg: object) => void,
 *   onFrame: (frame: import("./fleet_frame.js").FleetFrame) => void,
 *   onAnswer?: (msg: object) => void,
 *   onError: (msg: object) => void,
 *   onBadFrame?: (error: Error) => void,
 *   onMessage?: (msg: object) => void,
 *   onConnection: (state: "connecting"|"open"|"reconnecting"|"gone"|"forbidden") => void,
 * }} FleetHandlers
 */

export class FleetSocket {
  /**
   * @param {string} url ws:// or wss:// URL of the run
   * @param {FleetHandlers} handlers
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    /** `seq` of the latest frame applied, whichever platform it was for; null before any. */
    this.lastSeq = null;
    /** Latest `seq` applied per platform, to drop a stale frame (say, from before a reconnect). */
    this.seqByPlatform = new Map();
    this.haveSnapshot = false;
    this.attempt = 0;
    this.ws = null;
    this.stopped = false;
  }

  connect() {
    this.handlers.onConnection(this.attempt ? "reconnecting" : "connecting");
    const ws = new WebSocket(this.url);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.attempt = 0;
      // Every connection starts with a snapshot; frames only make sense against its layout.
      this.haveSnapshot = false;
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

  /** @param {string|ArrayBuffer} data one websocket message */
  receive(data) {
    if (data instanceof ArrayBuffer) {
      this.binary(data);
      return;
    }
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (msg.type === "snapshot") {
      this.haveSnapshot = true;
      // A snapshot follows a seek or a restart, after which `seq` may count from anew.
      this.seqByPlatform.clear();
      this.handlers.onSnapshot(msg);
    } else if (msg.type === "fleet_answer") {
      this.handlers.onAnswer?.(msg);
    } else if (msg.type === "error") {
      this.handlers.onError(msg);
    } else {
      this.handlers.onMessage?.(msg);
    }
  }

  binary(buffer) {
    if (!this.haveSnapshot) return;
    let frame;
    try {
      frame = decodeFrame(buffer);
    } catch (error) {
      this.handlers.onBadFrame?.(error);
      return;
    }
    const { seq, platform } = frame.header;
    const last = this.seqByPlatform.get(platform);
    if (Number.isFinite(seq) && last !== undefined && seq <= last) return;
    this.seqByPlatform.set(platform, seq);
    this.lastSeq = seq;
    this.handlers.onFrame(frame);
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
