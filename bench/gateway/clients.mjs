// The client side of bench/gateway, in a process of its own: CLIENTS socket.io-client connections
// to URL (namespace NSP), each subscribed to `feed` (app) and counting every `live.batch` event.
// Latency of an event = receipt time − its `at` (the app's commit time; the bare server's send
// time). Talks to the parent over IPC: 'ready', then on 'report' the figures.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const requireBackend = createRequire(
  join(dirname(fileURLToPath(import.meta.url)), '../../backend/package.json'),
);
const { io } = requireBackend('socket.io-client');
const { URL: url, NSP = '/live', CLIENTS = '1000', TOKEN = '' } = process.env;
const latencies = [];
let bytes = 0;
let frames = 0;
let events = 0;
let connected = 0;
const sockets = [];
for (let i = 0; i < Number(CLIENTS); i++) {
  const socket = io(`${url}${NSP}`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: { token: TOKEN },
  });
  sockets.push(socket);
  socket.io.engine?.on('packet', (p) => {
    if (p.type === 'message' && typeof p.data === 'string') bytes += p.data.length;
  });
  socket.on('connect', () => {
    socket.io.engine.on('packet', (p) => {
      if (p.type === 'message' && typeof p.data === 'string') bytes += p.data.length;
    });
  });
  socket.on('welcome', async () => {
    if (TOKEN)
      await socket
        .timeout(30000)
        .emitWithAck('subscribe', { room: 'feed' })
        .catch(() => undefined);
    connected++;
    if (connected === Number(CLIENTS)) process.send({ ready: true });
  });
  socket.on('live.batch', (batch) => {
    const now = Date.now();
    frames++;
    for (const e of batch.events) {
      events++;
      if (e.at) latencies.push(now - Date.parse(e.at));
    }
  });
}
process.on('message', (m) => {
  if (m === 'reset') {
    latencies.length = 0;
    bytes = frames = events = 0;
  }
  if (m === 'report') {
    latencies.sort((a, b) => a - b);
    const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
    process.send({
      received: latencies.length,
      p50: q(0.5),
      p99: q(0.99),
      max: latencies.at(-1) ?? NaN,
      bytes,
      frames,
      events,
    });
  }
  if (m === 'exit') {
    for (const s of sockets) s.close();
    process.exit(0);
  }
});
