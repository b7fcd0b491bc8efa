/**
 * A growable buffer of token ids (or any 32-bit ints): tokenizers append to it, so a long text
 * becomes an Int32Array directly. A JS `number[]` costs 8+ bytes a token and V8 caps its
 * length near 2^27, which a 200 MB corpus exceeds ("Fatal JavaScript invalid size error").
 */
export class Int32Buffer {
  private data: Int32Array;
  private n = 0;

  constructor(capacity = 1024) {
    this.data = new Int32Array(Math.max(16, capacity));
  }

  get length(): number {
    return this.n;
  }

  /** Makes room for `more` values without growing again. */
  reserve(more: number): void {
    const need = this.n + more;
    if (need <= this.data.length) return;
    const grown = new Int32Array(Math.max(need, Math.ceil(this.data.length * 1.5)));
    grown.set(this.data.subarray(0, this.n));
    this.data = grown;
  }

  push(v: number): void {
    if (this.n === this.data.length) this.reserve(1);
    this.data[this.n++] = v;
  }

  pushAll(values: ArrayLike<number>): void {
    this.reserve(values.length);
    for (let i = 0; i < values.length; i++) this.data[this.n + i] = values[i];
    this.n += values.length;
  }

  /** The values; shares memory with the buffer when it is (nearly) full, else a trimmed copy. */
  toInt32Array(): Int32Array {
    return this.n >= this.data.length * 0.9
      ? this.data.subarray(0, this.n)
      : this.data.slice(0, this.n);
  }

  toArray(): number[] {
    return Array.from(this.data.subarray(0, this.n));
  }
}
