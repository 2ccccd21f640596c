/**
 * The load generator's HTTP client: node:http over kept-alive connections, as lean as a client
 * can be, because it shares the two cores with the worker it measures (with fetch, GET /me at
 * concurrency 32 reached 235 requests a second against 273 with this).
 */
import http from "node:http";

export function leanClient(baseUrl: string) {
  const { hostname, port } = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  return (method: string, path: string, { token, body }: { token?: string; body?: unknown } = {}) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      if (payload !== undefined) {
        headers["content-type"] = "application/json";
        headers["content-length"] = String(Buffer.byteLength(payload));
      }
      const request = http.request({ hostname, port, method, path, headers, agent }, (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
        response.on("error", reject);
      });
      request.on("error", reject);
      request.end(payload);
    });
}
