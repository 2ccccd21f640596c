/**
 * Apps' icons, served by the worker (the security review): the extension never loads an image
 * from a vendor's server, which could see when each admin looks at their licenses. The worker
 * fetches an icon from its https address in the catalog at most once a day per address (the
 * Cache API keeps it), checks that it is a small image, and hands it to the admins whose tenant
 * subscribes to the app; the extension keeps it (core/icons.ts).
 */
import { notFound } from "../errors.js";

const maxBytes = 256 * 1024;
const keptSeconds = 24 * 60 * 60;
const imageTypes = new Set([
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "image/svg+xml",
  "image/x-icon",
  "image/vnd.microsoft.icon",
]);

export interface Icon {
  body: ArrayBuffer;
  contentType: string;
}

/** Reads a response's body, refusing one larger than `maxBytes` however it is sent. */
async function smallBody(response: Response): Promise<ArrayBuffer | null> {
  if (Number(response.headers.get("content-length") ?? 0) > maxBytes || !response.body) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body.buffer;
}

/** The icon at `url`: from the worker's cache, else fetched from the vendor (5 s at most) and kept a day. */
export async function iconAt(url: string, cache: Cache | undefined): Promise<Icon> {
  const key = new Request(url);
  const kept = await cache?.match(key);
  if (kept) return { body: await kept.arrayBuffer(), contentType: kept.headers.get("content-type")! };
  let response: Response;
  try {
    response = await fetch(url, { redirect: "error", signal: AbortSignal.timeout(5_000), headers: { accept: [...imageTypes].join(", ") } });
  } catch {
    throw notFound("The app's icon (its vendor's server did not answer)");
  }
  const contentType = (response.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const body = response.ok && imageTypes.has(contentType) ? await smallBody(response) : null;
  if (!body) throw notFound("The app's icon (not a small image)");
  await cache?.put(key, new Response(body, { headers: { "content-type": contentType, "cache-control": `max-age=${keptSeconds}` } }));
  return { body, contentType };
}
