/**
 * A loopback double of Slack's Socket Mode: `apps.connections.open` (hosted on the Slack Web API
 * double, app-level token required) answers a ws:// URL on 127.0.0.1; each connection gets
 * `hello`, then envelopes (`events_api`, `interactive`, `slash_commands`) with an envelope_id.
 * Acks (`{envelope_id, payload}`) are recorded. `disconnect(reason)` sends Slack's `disconnect`
 * message (the client closes and reconnects); `drop()` cuts the TCP connection without a word.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SlackDouble } from './slack.js';

export type EnvelopeType = 'events_api' | 'interactive' | 'slash_commands';

export interface SocketAck {
  envelope_id: string;
  payload?: unknown;
  /** Which connection (1-based) carried the ack. */
  connection: number;
}

export interface SocketModeDouble {
  /** Connections that received `hello` so far. */
  readonly connections: number;
  readonly acks: SocketAck[];
  /** apps.connections.open calls (with the token each one carried). */
  readonly opens: { authorization: string }[];
  /** Resolves once `n` connections have been opened in total (n = connections + 1: the next one). */
  waitForConnection(n: number): Promise<void>;
  /** Sends an envelope on the current connection; returns its envelope_id. */
  send(type: EnvelopeType, payload: unknown, opts?: { acceptsResponsePayload?: boolean }): string;
  waitForAck(envelopeId: string): Promise<SocketAck>;
  /** Slack's `disconnect` message: `refresh_requested` (routine) or `link_disabled`. */
  disconnect(reason?: 'refresh_requested' | 'link_disabled' | 'warning'): void;
  /** Drops the current connection without a close frame (network loss). */
  drop(): void;
  close(): Promise<void>;
}

export async function startSocketModeDouble(slack: SlackDouble): Promise<SocketModeDouble> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const { port } = wss.address() as AddressInfo;
  const acks: SocketAck[] = [];
  const opens: { authorization: string }[] = [];
  const tickets = new Set<string>();
  let current: WebSocket | undefined;
  let connections = 0;
  let listeners: (() => void)[] = [];
  const notify = () => {
    const l = listeners;
    listeners = [];
    for (const f of l) f();
  };

  slack.methods.set('apps.connections.open', (_args, headers) => {
    const authorization = String(headers.authorization ?? '');
    opens.push({ authorization });
    if (!/^Bearer xapp-/.test(authorization)) return { ok: false, error: 'not_allowed_token_type' };
    const ticket = randomUUID();
    tickets.add(ticket);
    return { ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=${ticket}` };
  });

  wss.on('connection', (ws, req) => {
    const ticket = new URL(req.url ?? '/', 'ws://x').searchParams.get('ticket') ?? '';
    if (!tickets.delete(ticket)) {
      ws.close(4001, 'invalid ticket');
      return;
    }
    connections += 1;
    const n = connections;
    current = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
      if (msg.envelope_id) acks.push({ envelope_id: msg.envelope_id, ...(msg.payload !== undefined ? { payload: msg.payload } : {}), connection: n });
      notify();
    });
    // Slack pings its clients; without pings the client gives up on the link after 30 s.
    const ping = setInterval(() => ws.ping(), 2_000);
    ping.unref();
    ws.on('close', () => clearInterval(ping));
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'applink-double', approximate_connection_time: 18060 },
        connection_info: { app_id: 'A0TEST' },
      }),
    );
    notify();
  });

  const until = (cond: () => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`socket mode double: timed out waiting for ${what}`)), 15_000);
      const check = () => {
        if (cond()) {
          clearTimeout(t);
          resolve();
        } else listeners.push(check);
      };
      check();
    });

  return {
    get connections() {
      return connections;
    },
    acks,
    opens,
    waitForConnection: (n) => until(() => connections >= n && current?.readyState === 1, `connection ${n}`),
    send(type, payload, opts = {}) {
      if (current?.readyState !== 1) throw new Error('no open Socket Mode connection');
      const envelope_id = randomUUID();
      current.send(JSON.stringify({ envelope_id, type, payload, accepts_response_payload: opts.acceptsResponsePayload ?? type !== 'events_api' }));
      return envelope_id;
    },
    async waitForAck(envelopeId) {
      await until(() => acks.some((a) => a.envelope_id === envelopeId), `ack of ${envelopeId}`);
      return acks.find((a) => a.envelope_id === envelopeId)!;
    },
    disconnect(reason = 'refresh_requested') {
      current?.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-double' } }));
    },
    drop() {
      current?.terminate();
    },
    async close() {
      slack.methods.delete('apps.connections.open');
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
