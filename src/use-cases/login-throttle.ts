/** Whose failures count: the account tried, and the address it was tried from. */
export interface SignInAttempt {
  account: string;
  address: string;
}

/**
 * Counts failed sign-ins per account and per client address in a fixed window. Only failures
 * count, and an address may fail more often than an account (many honest clients share one
 * address behind NAT).
 */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly maxPerAccount: number,
    private readonly windowMs: number,
    private readonly maxPerAddress = maxPerAccount * 10,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before trying again, or 0 when the attempt may go ahead. */
  retryAfter(attempt: SignInAttempt): number {
    const now = this.now();
    const wait = Math.max(
      this.waitFor(`account:${attempt.account}`, this.maxPerAccount, now),
      this.waitFor(`address:${attempt.address}`, this.maxPerAddress, now),
    );
    return Math.ceil(wait / 1000);
  }

  failed(attempt: SignInAttempt): void {
    const now = this.now();
    if (this.failures.size > 100_000) this.sweep(now);
    for (const key of [`account:${attempt.account}`, `address:${attempt.address}`]) {
      const entry = this.failures.get(key);
      if (entry && entry.resetAt > now) entry.count += 1;
      else this.failures.set(key, { count: 1, resetAt: now + this.windowMs });
    }
  }

  succeeded(attempt: SignInAttempt): void {
    this.failures.delete(`account:${attempt.account}`);
  }

  private waitFor(key: string, max: number, now: number): number {
    const entry = this.failures.get(key);
    return entry && entry.resetAt > now && entry.count >= max ? entry.resetAt - now : 0;
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.failures) if (entry.resetAt <= now) this.failures.delete(key);
  }
}
