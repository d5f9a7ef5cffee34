// The baseline: a bare Socket.IO server on node:http (no auth, no database), broadcasting RATE
// frames/s of PAYLOAD_BYTES to every client in namespace /live, each frame `{ events: [event] }`.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const requireBackend = createRequire(
  join(dirname(fileURLToPath(import.meta.url)), '../../backend/package.json'),
);
const { Server } = requireBackend('socket.io');
const http = createServer();
const server = new Server(http, { perMessageDeflate: { threshold: 1024 } });
const nsp = server.of('/live');
nsp.on('connection', (socket) => socket.emit('welcome', {}));
http.listen(0, '127.0.0.1', () => process.send({ port: http.address().port }));
let timer;
process.on('message', (m) => {
  if (m.start) {
    const filler = 'x'.repeat(Math.max(0, m.payloadBytes - 120));
    let n = 0;
    timer = setInterval(() => {
      n++;
      nsp.emit('live.batch', {
        events: [{ type: 'incident.updated', v: 1, id: String(n), at: new Date().toISOString(), filler }],
      });
    }, 1000 / m.rate);
  }
  if (m.stop) clearInterval(timer);
});
