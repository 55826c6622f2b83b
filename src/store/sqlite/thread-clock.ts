/** Milliseconds that compare across threads (each thread's `performance.now()` counts from its own start). */
export const threadClock = (): number => performance.timeOrigin + performance.now();
