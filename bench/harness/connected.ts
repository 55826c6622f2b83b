/** What a worker's `connect` request sets up and every later request works on. */
export class Connected<T> {
  private value: T | null = null;

  /** Keeps the clients; null is `connect`'s reply. */
  set(value: T): null {
    this.value = value;
    return null;
  }

  get(): T {
    if (this.value === null) throw new Error('not connected yet');
    return this.value;
  }
}
