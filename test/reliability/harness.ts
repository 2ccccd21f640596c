/** The reliability suite's checks: each is one test of the final `N passed, N failed`; and the figures it prints. */
export class Checks {
  passed = 0;
  failed: string[] = [];

  check(name: string, ok: boolean, detail?: unknown) {
    if (ok) {
      this.passed += 1;
      console.log(`  ✓ ${name}`);
    } else {
      this.failed.push(name);
      console.log(`  ✗ ${name}${detail === undefined ? "" : `\n      ${JSON.stringify(detail).slice(0, 800)}`}`);
    }
  }

  equal(name: string, actual: unknown, expected: unknown) {
    const ok = JSON.stringify(actual) === JSON.stringify(expected);
    this.check(name, ok, ok ? undefined : { actual, expected });
  }
}

/** The 95th percentile of samples (0 for none). */
export const p95 = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.ceil(samples.length * 0.95) - 1] ?? 0;

export const figures: Record<string, number | string> = {};

export function figure(name: string, value: number | string) {
  figures[name] = value;
}
