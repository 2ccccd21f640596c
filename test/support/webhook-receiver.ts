/**
 * A vendor's webhook endpoint for the tests and the benchmark, on 127.0.0.1: it records every
 * request it is sent, and answers as each endpoint (the first part of the path) was told to —
 * 2xx, 500 a number of times first, or never (it hangs). The tests verify what it recorded with
 * `standardwebhooks`, the specification's reference library.
 *
 *   POST /__behave/<endpoint>  { failFirst?: number, status?: number, hang?: boolean }
 *   GET  /__requests/<endpoint> → [{ at, headers, body }]
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  /** When it arrived (epoch ms). */
  at: number;
  headers: Record<string, string>;
  body: string;
}

interface Behaviour {
  failFirst?: number;
  status?: number;
  hang?: boolean;
}

const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });

export interface WebhookReceiver {
  url: string;
  port: number;
  /** What an endpoint was sent, in order of arrival. */
  received(endpoint: string): ReceivedRequest[];
  /** Waits until `done` holds of what an endpoint was sent; throws after `timeoutMs`. */
  until(endpoint: string, done: (requests: ReceivedRequest[]) => boolean, timeoutMs?: number): Promise<ReceivedRequest[]>;
  behave(endpoint: string, behaviour: Behaviour): void;
  close(): Promise<void>;
  server: Server;
}

export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  const requests = new Map<string, ReceivedRequest[]>();
  const behaviours = new Map<string, Behaviour>();
  const listOf = (endpoint: string) => requests.get(endpoint) ?? requests.set(endpoint, []).get(endpoint)!;
  const server = createServer(async (request, response) => {
    const [, first = "", second = ""] = (request.url ?? "/").split("?")[0]!.split("/");
    const body = await readBody(request);
    if (first === "__behave") {
      behaviours.set(decodeURIComponent(second), JSON.parse(body || "{}") as Behaviour);
      response.writeHead(204).end();
      return;
    }
    if (first === "__requests") {
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(listOf(decodeURIComponent(second))));
      return;
    }
    const endpoint = decodeURIComponent(first);
    const list = listOf(endpoint);
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
    list.push({ at: Date.now(), headers, body });
    const behaviour = behaviours.get(endpoint) ?? {};
    if (behaviour.hang) return; // never answers: the sender gives up after its 10 seconds
    const failing = list.length <= (behaviour.failFirst ?? 0);
    response.writeHead(failing ? 500 : (behaviour.status ?? 204)).end();
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    server,
    received: (endpoint) => [...listOf(endpoint)],
    async until(endpoint, done, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const list = listOf(endpoint);
        if (done(list)) return [...list];
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(
        `The webhook endpoint ${endpoint} was not sent what was awaited within ${timeoutMs} ms (it got ${listOf(endpoint).length}).`,
      );
    },
    behave: (endpoint, behaviour) => behaviours.set(endpoint, behaviour),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
