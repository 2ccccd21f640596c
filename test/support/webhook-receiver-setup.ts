/** Starts the webhook receiver the worker tests send to (test/support/webhook-receiver.ts), on 127.0.0.1. */
import type { TestProject } from "vitest/node";
import { startWebhookReceiver } from "./webhook-receiver.ts";

export default async function setup(project: TestProject) {
  const receiver = await startWebhookReceiver();
  project.provide("webhookReceiver", receiver.url);
  return () => receiver.close();
}

declare module "vitest" {
  export interface ProvidedContext {
    webhookReceiver: string;
  }
}
