// The client side of bench/gateway, one of several processes: CLIENTS WebSocket connections to URL
// speaking Engine.IO 4 / Socket.IO 5 directly (the `ws` package, as socket.io-client's transport
// does), each admitted to namespace /live with TOKEN and subscribed to `feed` (SUBSCRIBE=1).
//
// Why not socket.io-client for every socket: it parses every frame in full, and 1,000 of them on
// a 2-core machine measure the client's JSON parsing, not the server. Here every socket receives
// every frame (the server does its whole fan-out: encoding, compression, writes), counts it and
// its bytes on the wire; every MEASURE_EVERY-th socket also parses it and records, for each event,
// receipt time − the event's `at` (the app's commit time; the bare server's send time).
//
// COMPRESS=1 offers permessage-deflate (the server compresses frames over its threshold);
// COMPRESS=0 does not, so the same frames travel uncompressed. Wire bytes are the TCP bytes read
// (WebSocket framing included, compressed when compressed).
//
// IPC with the parent: sends { ready } once every socket is subscribed; answers 'reset' and
// 'report' ({ latencies, frames, events, wireBytes, messageBytes, measuring, sockets, sample }).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const requireBackend = createRequire(
  join(dirname(fileURLToPath(import.meta.url)), '../../backend/package.json'),
);
const WebSocket = requireBackend('ws');

const {
  URL: base,
  CLIENTS = '500',
  TOKEN = '',
  SUBSCRIBE = '1',
  COMPRESS = '1',
  MEASURE_EVERY = '10',
  CONNECT_CONCURRENCY = '25',
} = process.env;
const NSP = '/live';
const EVENT_PREFIX = `42${NSP},`;
const BATCH_PREFIX = Buffer.from(`42${NSP},["live.batch"`);
const measureEvery = Number(MEASURE_EVERY);

let latencies = [];
let frames = 0; // live.batch frames received, every socket
let events = 0; // incident.updated events received by measuring sockets
let messageBytes = 0; // after decompression, every socket
let sample; // one wire event as received, for the bare server to send the same
const sockets = [];

function wireBytes() {
  let total = 0;
  for (const s of sockets) total += s.tcp?.bytesRead ?? 0;
  return total;
}
let wireAtReset = 0;

/** One connection through the Engine.IO open, the namespace CONNECT, `welcome` and the subscribe ack. */
function open(index) {
  return new Promise((resolve, reject) => {
    const measuring = index % measureEvery === 0;
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: COMPRESS === '1',
    });
    const entry = { ws, tcp: undefined, measuring };
    sockets.push(entry);
    let ready = false;
    const timer = setTimeout(() => reject(new Error(`socket ${index}: not ready within 60 s`)), 60_000);
    const done = () => {
      ready = true;
      clearTimeout(timer);
      resolve();
    };
    ws.on('upgrade', (res) => (entry.tcp = res.socket));
    ws.on('open', () => (entry.tcp ??= ws._socket));
    ws.on('error', (e) => (ready ? undefined : reject(e)));
    ws.on('close', (code) => {
      if (!ready) reject(new Error(`socket ${index} closed (${code}) before it was ready`));
    });
    ws.on('message', (data) => {
      const buf = data; // a Buffer: text frames are not decoded unless measured
      messageBytes += buf.length;
      if (buf.length === 1 && buf[0] === 0x32) return ws.send('3'); // ping → pong
      if (BATCH_PREFIX.equals(buf.subarray(0, BATCH_PREFIX.length))) {
        frames++;
        if (!measuring) return;
        const now = Date.now();
        const [, batch] = JSON.parse(buf.toString('utf8', EVENT_PREFIX.length));
        for (const e of batch.events) {
          // Only the updates the driver made (or the bare server sent): not analytics.refreshed & co.
          if (e.type !== 'incident.updated') continue;
          events++;
          latencies.push(now - Date.parse(e.at));
        }
        sample ??= batch.events.find((e) => e.type === 'incident.updated');
        return;
      }
      const text = buf.toString();
      if (text.startsWith('0{')) ws.send(`40${NSP},${JSON.stringify(TOKEN ? { token: TOKEN } : {})}`);
      else if (text.startsWith(`44${NSP},`)) reject(new Error(`refused: ${text}`));
      else if (text.startsWith(`42${NSP},["welcome"`)) {
        if (SUBSCRIBE === '1') ws.send(`42${NSP},1["subscribe",{"room":"feed"}]`);
        else done();
      } else if (text.startsWith(`43${NSP},1`)) {
        if (text.includes('"ok":true')) done();
        else reject(new Error(`subscribe refused: ${text}`));
      }
    });
  });
}

// Connections open a few at a time, as a fleet of consoles would, not as one burst.
const total = Number(CLIENTS);
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(total, Number(CONNECT_CONCURRENCY)) }, async () => {
    while (next < total) await open(next++);
  }),
);
process.send({ ready: true });

process.on('message', (m) => {
  if (m === 'reset') {
    latencies = [];
    frames = events = messageBytes = 0;
    wireAtReset = wireBytes();
  }
  if (m === 'report') {
    const closed = sockets.filter((s) => s.ws.readyState !== WebSocket.OPEN).length;
    process.send({
      latencies,
      frames,
      events,
      wireBytes: wireBytes() - wireAtReset,
      messageBytes,
      measuring: sockets.filter((s) => s.measuring).length,
      sockets: sockets.length,
      closed,
      sample,
    });
  }
  if (m === 'exit') {
    for (const s of sockets) s.ws.terminate();
    process.exit(0);
  }
});
