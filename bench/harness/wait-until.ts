/** Polls `done` (which may ask other processes) until it holds; false if `timeoutMs` passes first. */
export async function waitUntil(done: () => boolean | Promise<boolean>, timeoutMs: number, pollMs = 5): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!(await done())) {
    if (performance.now() > deadline) return false;
    await sleep(pollMs);
  }
  return true;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
