/**
 * Which backend the extension may talk to (the security review): an https address, or plain
 * http only on this computer (loopback), where `npm start` serves. Tokens never cross a network
 * in the clear.
 */

const loopback = (hostname: string) => hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);

/** The backend's origin for what the admin typed, or null when it may not be used. */
export function backendOrigin(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  if (url.protocol === "https:" || (url.protocol === "http:" && loopback(url.hostname))) return url.origin;
  return null;
}
