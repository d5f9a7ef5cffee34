import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { PROBLEM_CONTENT_TYPE, toProblem } from '../errors/problem';

const DETAILS: Readonly<Record<number, string>> = {
  400: 'The request is not valid HTTP',
  408: 'The request was not completed in time',
  431: "The request line and headers are over the server's 16 kB limit",
};

/**
 * Errors Node's HTTP parser raises before Fastify has a request: a request line and headers over
 * Node's 16 kB (431), bytes that are not HTTP (400), a request never completed (408). Fastify's
 * default answers them in its own JSON; this answers them as problems like every other error,
 * then closes the connection, whose state is unknown. Pass it as Fastify's `clientErrorHandler`.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const { problem } = toProblem(Object.assign(new Error(DETAILS[status]), { statusCode: status }));
  const body = JSON.stringify(problem);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
