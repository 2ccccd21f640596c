/** What the worker project's global setup provides (test/support/webhook-receiver-setup.ts). */
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The webhook receiver's address, on 127.0.0.1. */
    webhookReceiver: string;
  }
}
