/**
 * Tear-down that releases everything: each step is attempted, also when an earlier one failed;
 * the first error is thrown at the end (so the report names what went wrong first).
 */
export async function releaseAll(steps: Array<() => unknown>): Promise<void> {
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) throw errors[0];
}
