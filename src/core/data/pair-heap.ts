/**
 * A binary heap of (priority, key) number pairs with a caller-chosen order, used by BPE
 * training (max count first) and BPE encoding (min merge rank first). Entries are never updated
 * in place: callers push a fresh entry when a priority changes and skip stale ones on pop
 * ("lazy deletion"), which keeps the heap simple and every operation O(log n).
 */
export class PairHeap {
  private readonly pri: number[] = [];
  private readonly key: number[] = [];
  /** Priority of the entry popped last (valid after `pop` returned true). */
  topPriority = 0;
  /** Key of the entry popped last. */
  topKey = 0;

  /**
   * @param maxFirst  true: larger priority pops first; false: smaller first.
   *                  Ties always pop the smaller key first, so the order is total and deterministic.
   */
  constructor(private readonly maxFirst: boolean) {}

  get size(): number {
    return this.pri.length;
  }

  push(priority: number, key: number): void {
    this.pri.push(priority);
    this.key.push(key);
    this.up(this.pri.length - 1);
  }

  /** Removes the best entry into `topPriority`/`topKey`; false when empty. */
  pop(): boolean {
    const n = this.pri.length;
    if (n === 0) return false;
    this.topPriority = this.pri[0];
    this.topKey = this.key[0];
    const lp = this.pri.pop()!;
    const lk = this.key.pop()!;
    if (n > 1) {
      this.pri[0] = lp;
      this.key[0] = lk;
      this.down(0);
    }
    return true;
  }

  private better(i: number, j: number): boolean {
    const a = this.pri[i];
    const b = this.pri[j];
    if (a !== b) return this.maxFirst ? a > b : a < b;
    return this.key[i] < this.key[j];
  }

  private swap(i: number, j: number): void {
    const p = this.pri[i];
    this.pri[i] = this.pri[j];
    this.pri[j] = p;
    const k = this.key[i];
    this.key[i] = this.key[j];
    this.key[j] = k;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.better(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.pri.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < n && this.better(l, best)) best = l;
      if (r < n && this.better(r, best)) best = r;
      if (best === i) return;
      this.swap(i, best);
      i = best;
    }
  }
}
