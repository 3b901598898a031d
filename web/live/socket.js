// One session's events WebSocket (host/live/events.py): the token in the first message, then
// numbered events from `after`. It reconnects by itself (host restarted, client dropped as too
// slow, network gone) and asks for what it missed, so the handlers see every event once, in order.
import { token } from "./api.js";

const BACKOFF_MS = [250, 500, 1000, 2000, 4000];
const FATAL = { 4401: "wrong token", 4404: "no such session", 4400: "bad request" };

export class EventStream {
  // handlers: hello(msg), events([...]), state(msg), forming(bar), status(text, ok)
  constructor(sid, after, handlers) {
    this.sid = sid;
    this.last = after;
    this.handlers = handlers;
    this.closed = false;
    this.failures = 0;
    this.open();
  }

  open() {
    const url = new URL(`api/live/${this.sid}/events`, location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const ws = (this.ws = new WebSocket(url));
    ws.onopen = () => ws.send(JSON.stringify({ token: token(), after: this.last }));
    ws.onmessage = (e) => this.receive(JSON.parse(e.data));
    ws.onclose = (e) => {
      if (this.closed || ws !== this.ws) return;
      if (FATAL[e.code]) {
        this.handlers.status(`disconnected: ${FATAL[e.code]}`, false);
        return;
      }
      const wait = BACKOFF_MS[Math.min(this.failures++, BACKOFF_MS.length - 1)];
      this.handlers.status(e.code === 1012 ? "host restarting: reconnecting…" : "reconnecting…", false);
      this.timer = setTimeout(() => this.open(), wait);
    };
  }

  receive(msg) {
    if (msg.type === "hello") {
      this.failures = 0;
      this.handlers.status("live", true);
      this.handlers.hello(msg);
    } else if (msg.type === "events") {
      const fresh = msg.events.filter((e) => e.seq > this.last); // never twice, even across reconnects
      if (fresh.length) {
        this.last = fresh[fresh.length - 1].seq;
        this.handlers.events(fresh);
      }
    } else if (msg.type === "state") {
      this.handlers.state(msg);
    } else if (msg.type === "forming") {
      this.handlers.forming(msg.bar);
    }
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    this.ws?.close();
  }
}
