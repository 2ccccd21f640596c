// The test runs of `npm test`, in two lanes side by side, each running its steps one at a time:
// - workerd: the worker's tests inside workerd (which share one local storage, so one file at a
//   time), the unit tests and the operator's commands, then the reliability suite against a
//   `wrangler dev` of its own;
// - browsers: the built extension in Chromium and Firefox against `wrangler dev`, one file at a
//   time (they share the machine's browsers).
// Each lane waits mostly on processes of its own (workerd, wrangler, the browsers), whose waits the
// other lane's work fills. Each line is told with its lane; the exit status is the worse of the two.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

interface Step {
  command: string;
  args: string[];
}
const vitest = (...projects: string[]): Step => ({ command: "vitest", args: ["run", ...projects.flatMap((p) => ["--project", p])] });

const lanes: { name: string; steps: Step[] }[] = [
  { name: "workerd", steps: [vitest("worker", "unit", "scripts"), { command: "node", args: ["test/reliability/run.ts", "--short"] }] },
  { name: "browsers", steps: [vitest("e2e")] },
];

const runStep = (lane: string, step: Step) =>
  new Promise<number>((resolve) => {
    const child = spawn(step.command, step.args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => console.log(`[${lane}] ${line}`));
    }
    child.on("error", (error) => console.log(`[${lane}] ${step.command} could not start: ${error.message}`));
    child.on("close", (code) => resolve(code ?? 1));
  });

async function runLane({ name, steps }: (typeof lanes)[number]): Promise<number> {
  const started = performance.now();
  let worst = 0;
  // A failed step does not stop the lane: every failure of the run is told at once.
  for (const step of steps) worst = Math.max(worst, await runStep(name, step));
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(`[${name}] ${worst === 0 ? "passed" : "FAILED"} in ${seconds} s`);
  return worst;
}

process.exitCode = Math.max(...(await Promise.all(lanes.map(runLane))));
