// How the scripts run wrangler: from the worker's folder, with telemetry off (the network is closed).
import { fileURLToPath } from "node:url";

export const workerDir = fileURLToPath(new URL("../worker/", import.meta.url));
export const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: process.env.CI ?? "true", NO_COLOR: "1" };
