// The baseline: a bare Socket.IO server on node:http (no auth, no database, no rooms), the same
// Socket.IO version and compression settings as the app (perMessageDeflate over 1,024 bytes),
// broadcasting RATE frames/s to every socket of namespace /live, each frame one event:
// `{ events: [event] }` where event is the app's own wire event (as a client received it) with a
// fresh id, another incident id, number and title of the same length, and `at` = send time.
import { randomBytes, randomUUID } from 'node:crypto';
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
    let n = 0;
    const started = performance.now();
    // Paced by the clock, not by setInterval's drift: n frames after n / rate seconds.
    timer = setInterval(() => {
      const due = Math.floor(((performance.now() - started) / 1000) * m.rate);
      while (n < due) {
        n++;
        // Distinct like the app's (another incident, another title each time), or permessage-deflate
        // would compress each frame against an identical previous one and flatter the baseline.
        const id = randomUUID();
        const title = randomBytes(m.event.incident.title.length)
          .toString('base64url')
          .slice(0, m.event.incident.title.length);
        const event = {
          ...m.event,
          id: randomUUID(),
          at: new Date().toISOString(),
          incidentId: id,
          incident: { ...m.event.incident, id, title, number: `INC${String(n).padStart(7, '0')}` },
        };
        nsp.emit('live.batch', { events: [event] });
      }
    }, 2);
  }
  if (m.stop) clearInterval(timer);
});
