/**
 * What both run sockets share (socket.js for detailed runs, fleet_socket.js for fleet runs):
 * connect, reconnect with a jittered back-off, stop for good on the server's final closes, and
 * send JSON commands. Subclasses say what a new connection resets (`opened`) and how to read a
 * message (`receive`).
 */

/** Close code the server uses for a run that does not exist. */
export const CLOSE_NO_SUCH_RUN = 4404;
/** The deployment keeps runs to staff (protocol.md §3). */
export const CLOSE_FORBIDDEN = 4403;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];

export class ReconnectingSocket {
  /**
   * @param {string} url ws:// or wss:// URL of the run
   * @param {{onConnection: (state: "connecting"|"open"|"reconnecting"|"gone"|"forbidden") => void}} handlers
   * @param {BinaryType} [binaryType] how binary messages arrive ("arraybuffer" for fleet frames)
   */
  constructor(url, handlers, binaryType = "blob") {
    this.url = url;
    this.handlers = handlers;
    this.binaryType = binaryType;
    this.attempt = 0;
    this.ws = null;
    this.stopped = false;
  }

  connect() {
    this.handlers.onConnection(this.attempt ? "reconnecting" : "connecting");
    const ws = new WebSocket(this.url);
    ws.binaryType = this.binaryType;
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.attempt = 0;
      this.opened();
      this.handlers.onConnection("open");
    });
    ws.addEventListener("message", (event) => this.receive(event.data));
    ws.addEventListener("close", (event) => this.closed(event));
  }

  /** A connection opened: the server's snapshot comes first on every one. */
  opened() {}

  /** Read one websocket message (a string, or binary data). */
  receive() {}

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
