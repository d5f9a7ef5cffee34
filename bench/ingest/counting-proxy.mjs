// A TCP proxy between a client and PostgreSQL that counts the statements the client runs, by the
// connection's application_name (read from its StartupMessage): every simple-protocol Query ('Q')
// and every extended-protocol Execute ('E') is one statement sent to the server. Parse ('P') and
// Bind ('B') messages are followed only to name the SQL each Execute runs, for the breakdown.
// Bytes are forwarded unchanged; only the client → server direction is read. Plain TCP only (the
// bench's connections use no TLS).
//
// Started by run.mjs (fork) with TARGET_HOST and TARGET_PORT; answers { port } when listening.
// Messages: 'reset' zeroes the counts; 'snapshot' answers { type: 'snapshot', byApp }.
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

/** Counts per application_name: connections seen, Q and E messages, statements by SQL text. */
const byApp = new Map();

function countsOf(app) {
  let c = byApp.get(app);
  if (!c) {
    c = { connections: 0, queries: 0, executes: 0, bySql: new Map() };
    byApp.set(app, c);
  }
  return c;
}

const shortSql = (sql) => sql.replace(/\s+/g, ' ').trim().slice(0, 160);

function cstring(buf, offset) {
  const end = buf.indexOf(0, offset);
  return end < 0 ? [buf.toString('utf8', offset), buf.length] : [buf.toString('utf8', offset, end), end + 1];
}

/** Reads one connection's client → server stream. */
class FrontendReader {
  app = '(unknown)';
  started = false;
  pending = Buffer.alloc(0);
  /** Prepared statement name → SQL; portal name → statement name. */
  statements = new Map();
  portals = new Map();

  push(chunk) {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    for (;;) {
      if (!this.started) {
        if (buf.length - at < 8) break;
        const len = buf.readInt32BE(at);
        if (buf.length - at < len) break;
        const code = buf.readInt32BE(at + 4);
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST && code !== CANCEL_REQUEST) {
          this.startup(buf.subarray(at + 8, at + len));
          this.started = true;
        }
        at += len;
        continue;
      }
      if (buf.length - at < 5) break;
      const len = buf.readInt32BE(at + 1);
      if (buf.length - at < len + 1) break;
      this.message(buf[at], buf.subarray(at + 5, at + 1 + len));
      at += len + 1;
    }
    this.pending = at < buf.length ? Buffer.from(buf.subarray(at)) : Buffer.alloc(0);
  }

  startup(params) {
    let at = 0;
    while (at < params.length && params[at] !== 0) {
      const [key, next] = cstring(params, at);
      const [value, after] = cstring(params, next);
      if (key === 'application_name') this.app = value || '(empty)';
      at = after;
    }
    countsOf(this.app).connections++;
  }

  message(type, body) {
    switch (type) {
      case 0x51: {
        // 'Q': simple query
        const c = countsOf(this.app);
        c.queries++;
        const sql = `[Q] ${shortSql(cstring(body, 0)[0])}`;
        c.bySql.set(sql, (c.bySql.get(sql) ?? 0) + 1);
        break;
      }
      case 0x50: {
        // 'P': Parse(statement name, query, …)
        const [name, next] = cstring(body, 0);
        this.statements.set(name, cstring(body, next)[0]);
        break;
      }
      case 0x42: {
        // 'B': Bind(portal, statement, …)
        const [portal, next] = cstring(body, 0);
        this.portals.set(portal, cstring(body, next)[0]);
        break;
      }
      case 0x45: {
        // 'E': Execute(portal, max rows)
        const c = countsOf(this.app);
        c.executes++;
        const statement = this.portals.get(cstring(body, 0)[0]);
        const sql = shortSql(this.statements.get(statement) ?? `(statement ${statement})`);
        c.bySql.set(sql, (c.bySql.get(sql) ?? 0) + 1);
        break;
      }
      default:
    }
  }
}

function main() {
  const host = process.env.TARGET_HOST ?? '127.0.0.1';
  const port = Number(process.env.TARGET_PORT);
  const server = createServer((client) => {
    client.setNoDelay(true);
    const upstream = connect(port, host);
    upstream.setNoDelay(true);
    const reader = new FrontendReader();
    client.on('data', (chunk) => {
      reader.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('message', (m) => {
    if (m === 'reset') {
      for (const c of byApp.values()) {
        c.queries = 0;
        c.executes = 0;
        c.bySql.clear();
      }
      process.send({ type: 'reset' });
    } else if (m === 'snapshot') {
      process.send({
        type: 'snapshot',
        byApp: Object.fromEntries(
          [...byApp].map(([app, c]) => [
            app,
            { connections: c.connections, queries: c.queries, executes: c.executes, bySql: [...c.bySql] },
          ]),
        ),
      });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
