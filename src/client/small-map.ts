/**
 * A map from numbers that holds its first entry in fields and makes a Map only when a second one
 * is added while the first is still there. A connect operation usually has a single attempt and
 * at most one attempt-delay timer at a time: that case allocates no Map (and a Map that loses its
 * only entry shrinks its table, to grow it again for the next one).
 */
export class SmallMap<V> {
  #firstKey = 0;
  #first: V | undefined = undefined;
  #rest: Map<number, V> | null = null;

  get(key: number): V | undefined {
    return this.#first !== undefined && key === this.#firstKey ? this.#first : this.#rest?.get(key);
  }

  set(key: number, value: V): void {
    if (this.#first === undefined || key === this.#firstKey) {
      this.#firstKey = key;
      this.#first = value;
      this.#rest?.delete(key);
    } else (this.#rest ??= new Map()).set(key, value);
  }

  delete(key: number): void {
    if (this.#first !== undefined && key === this.#firstKey) this.#first = undefined;
    else this.#rest?.delete(key);
  }

  clear(): void {
    this.#first = undefined;
    this.#rest = null;
  }
}
