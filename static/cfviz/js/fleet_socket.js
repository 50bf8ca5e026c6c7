/**
 * A fleet run's websocket (docs/fleet.md §3): a JSON snapshot with the layout first, then
 * binary frames, one per platform, each carrying the whole aggregated state. A lost frame
 * therefore needs no resync, unlike a detailed run's socket (socket.js): the next one
 * replaces it. JSON messages besides the snapshot are errors and answers to `fleet_query`
 * (`fleet_answer`, and `fleet_decision` for a "why").
 */

import { decodeFrame } from "./fleet_frame.js";
import { ReconnectingSocket } from "./reconnecting_socket.js";

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

export class FleetSocket extends ReconnectingSocket {
  /**
   * @param {string} url ws:// or wss:// URL of the run
   * @param {FleetHandlers} handlers
   */
  constructor(url, handlers) {
    super(url, handlers, "arraybuffer");
    /** `seq` of the latest frame applied, whichever platform it was for; null before any. */
    this.lastSeq = null;
    /** Latest `seq` applied per platform, to drop a stale frame (say, from before a reconnect). */
    this.seqByPlatform = new Map();
    this.haveSnapshot = false;
  }

  opened() {
    // Every connection starts with a snapshot; frames only make sense against its layout.
    this.haveSnapshot = false;
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
    } else if (msg.type === "fleet_decision") {
      this.handlers.onDecision?.(msg);
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

}
