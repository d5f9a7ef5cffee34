// Baseline: Node's own http server, no framework.
import http from 'node:http';
import pg from 'pg';
import { INSERT_EVENT, signatureMatches } from './shared.mjs';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/api/webhooks/events') {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const raw = Buffer.concat(chunks);
    if (!signatureMatches(raw, req.headers['x-signature'])) {
      res.writeHead(401, { 'content-type': 'application/problem+json' }).end('{"status":401}');
      return;
    }
    let event;
    try {
      event = JSON.parse(raw.toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (typeof event.id !== 'string' || typeof event.type !== 'string') {
      res.writeHead(400).end();
      return;
    }
    try {
      await pool.query(INSERT_EVENT, [event.id, event.type, event.payload ?? {}]);
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ id: event.id }));
    } catch {
      res.writeHead(500).end();
    }
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
