/**
 * A small memory of the callers verified lately, by key: at most `size` of them (the least
 * recently used goes first), each for at most `maxAgeMs` after it was verified.
 */
export class RecentCallers<T> {
  readonly #entries = new Map<string, { value: T; at: number }>();
  readonly #size: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor({ size, maxAgeMs, now = Date.now }: { size: number; maxAgeMs: number; now?: () => number }) {
    this.#size = size;
    this.#maxAgeMs = maxAgeMs;
    this.#now = now;
  }

  get(key: string): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (this.#now() - entry.at > this.#maxAgeMs) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: T) {
    this.#entries.delete(key);
    this.#entries.set(key, { value, at: this.#now() });
    if (this.#entries.size > this.#size) this.#entries.delete(this.#entries.keys().next().value!);
  }

  delete(key: string) {
    this.#entries.delete(key);
  }

  clear() {
    this.#entries.clear();
  }
}
