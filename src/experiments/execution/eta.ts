/**
 * A calm ETA for the Live view. The rate (work per second) is an exponentially weighted
 * average over time (time constant `tauSec`), so a slow checkpoint step or a neighbour
 * process stealing a core moves it a little, not a lot; and the ETA shown never changes by
 * more than `MAX_ETA_FACTOR` (up or down) from one update to the next.
 */

/** The most the ETA may change between two consecutive updates: ×1.25 or ÷1.25. */
export const MAX_ETA_FACTOR = 1.25;

export class EtaSmoother {
  private rate: number | null = null;
  private lastDone: number | null = null;
  private lastAt = 0;
  private eta: number | null = null;

  constructor(
    private readonly tauSec = 5,
    private readonly factor = MAX_ETA_FACTOR,
  ) {}

  /**
   * Records that `done` of `total` units are done at `nowMs`; returns the ETA in seconds, or
   * null until a rate is known.
   */
  update(done: number, total: number, nowMs: number): number | null {
    if (this.lastDone === null || done < this.lastDone) {
      this.lastDone = done;
      this.lastAt = nowMs;
      return this.eta;
    }
    const dt = (nowMs - this.lastAt) / 1000;
    if (dt <= 0) return this.eta;
    const sample = (done - this.lastDone) / dt;
    this.lastDone = done;
    this.lastAt = nowMs;
    const w = 1 - Math.exp(-dt / this.tauSec);
    this.rate = this.rate === null ? sample : this.rate + w * (sample - this.rate);
    if (!(this.rate > 0)) return this.eta;
    return this.next(Math.max(0, total - done) / this.rate);
  }

  /**
   * Sets a raw ETA (e.g. from a worker's own estimate), limited to the allowed change. Zero —
   * the work is done — is taken as is.
   */
  next(raw: number): number {
    if (this.eta === null || this.eta <= 0 || raw === 0) this.eta = raw;
    else this.eta = Math.min(this.eta * this.factor, Math.max(this.eta / this.factor, raw));
    return this.eta;
  }

  get current(): number | null {
    return this.eta;
  }
}
