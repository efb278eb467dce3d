// The live server's memory is bounded whatever pages and apps do (docs/inspecting.md,
// "Bounds"): a page that stops reading is sent no more than its bound and, once it reads
// again, gets the kept messages rather than everything sent meanwhile; the messages kept
// for later pages are bounded in bytes as well as in number; pages and apps past their
// number are refused. Real sockets on loopback: a stalled page is a socket never read.
import { once } from 'node:events';
import http from 'node:http';
import { connect, type Socket } from 'node:net';
import * as ws from 'ws';
import { afterEach, expect, test } from 'vitest';
import { startInspectorServer, type InspectorServer, type WsModule } from '../src/cli/server.js';
import { openApp, validStep } from './support/inspectorSteps.js';

const MiB = 1 << 20;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options: Record<string, number> = {}): Promise<InspectorServer> {
  const started = await startInspectorServer({
    ws: ws as unknown as WsModule,
    page: () => '<p>page</p>',
    ...options,
  });
  cleanups.push(() => started.close());
  return started;
}

/** An `/events` reader on a raw socket, paused: its bytes pile up wherever the server lets them. */
function stalledPage(target: InspectorServer): Socket {
  const socket = connect(target.port, '127.0.0.1');
  socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\n\r\n`);
  socket.pause();
  cleanups.push(() => socket.destroy());
  return socket;
}

/** Reads `socket` until nothing came for `quietMs`; the bytes and the SSE ids seen. */
async function drain(socket: Socket, quietMs = 1_500): Promise<{ bytes: number; ids: number[] }> {
  let bytes = 0;
  let text = '';
  const ids: number[] = [];
  let last = Date.now();
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    last = Date.now();
    text += chunk.toString('latin1');
    let end;
    while ((end = text.indexOf('\n\n')) >= 0) {
      const id = /^id: (\d+)$/m.exec(text.slice(0, end))?.[1];
      if (id) ids.push(Number(id));
      text = text.slice(end + 2);
    }
  });
  socket.resume();
  while (Date.now() - last < quietMs) await new Promise((resolve) => setTimeout(resolve, 50));
  return { bytes, ids };
}

/** Sends `count` valid steps of about `size` bytes each (the size in a participant's name). */
async function flood(target: InspectorServer, count: number, size: number): Promise<void> {
  const app = await openApp(target.appUrl);
  cleanups.push(() => app.terminate());
  const name = 'n'.repeat(size);
  for (let seq = 0; seq < count; seq++) {
    app.send(JSON.stringify(validStep({ seq, participants: [{ uid: 'u', name }] })));
    while (app.bufferedAmount > 4 * MiB) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  while (app.bufferedAmount > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 300));
}

test('a page that stops reading holds the server to its bound; reading again, it gets the kept tail, in order', async () => {
  const target = await server({ keepBytes: 8 * MiB, pageBufferBytes: MiB });
  const page = stalledPage(target);
  await flood(target, 96, 1_000_000); // 96 MB sent while the page does not read
  const { bytes, ids } = await drain(page);
  // What the server held for it (at most 8 MiB kept + 1 MiB), plus what loopback's kernel
  // buffers took before it stopped writing: far below the 96 MB sent.
  expect(bytes).toBeLessThan(30 * MiB);
  expect(ids.length).toBeGreaterThan(0);
  expect(ids.at(-1)).toBe(97); // the app's connection message, then its 96 steps
  const tail = ids.slice(ids.findIndex((id, i) => i > 0 && id !== ids[i - 1]! + 1));
  expect(tail.every((id, i) => i === 0 || id === tail[i - 1]! + 1)).toBe(true);
});

test('the messages kept for later pages are bounded in bytes, not only in number', async () => {
  const target = await server({ keepBytes: 8 * MiB });
  await flood(target, 40, 1_000_000);
  const late = stalledPage(target);
  const { bytes, ids } = await drain(late);
  expect(bytes).toBeLessThanOrEqual(8 * MiB + 64 * 1024);
  expect(ids.length).toBeGreaterThanOrEqual(7);
  expect(ids.at(-1)).toBe(41);
});

test('the kept messages are bounded in number too', async () => {
  const target = await server({ keep: 5 });
  await flood(target, 20, 10);
  const { ids } = await drain(stalledPage(target), 500);
  expect(ids).toEqual([17, 18, 19, 20, 21]);
});

test('pages and apps past their number are refused: 503, and the ones open go on', async () => {
  const target = await server({ maxPages: 2, maxApps: 2 });
  const pages = [stalledPage(target), stalledPage(target)];
  await new Promise((resolve) => setTimeout(resolve, 200));
  const third = await new Promise<number>((resolve, reject) =>
    http.get(`${target.url}events`, (response) => resolve(response.statusCode!)).on('error', reject),
  );
  expect(third).toBe(503);
  const apps = [await openApp(target.appUrl), await openApp(target.appUrl)];
  for (const app of apps) cleanups.push(() => app.terminate());
  const refused = new ws.WebSocket(target.appUrl);
  refused.on('error', () => {}); // ws reports the refusal as an error too; the status is what is checked
  const [, response] = (await once(refused, 'unexpected-response')) as [unknown, http.IncomingMessage];
  expect(response.statusCode).toBe(503);
  refused.terminate();
  // A page that goes away frees its place.
  pages[0]!.destroy();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const again = await new Promise<number>((resolve, reject) => {
    const request = http.get(`${target.url}events`, (response) => {
      resolve(response.statusCode!);
      request.destroy();
    });
    request.on('error', reject);
  });
  expect(again).toBe(200);
});
