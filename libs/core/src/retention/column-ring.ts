/**
 * Rows of float64 columns in a growable ring: the storage behind a feed's
 * points and the batch index. Rows are appended at the back and dropped from
 * the front; a column whose values never decrease along the ring can be
 * binary-searched.
 *
 * The rows live in one `Float64Array`, row after row: a typed array costs
 * about 200 bytes of objects besides its values, which for a feed's first
 * few rows is most of what the feed weighs (one array instead of one per
 * column saved 600 bytes per feed, `bench/tools/feed-cost.ts`).
 */
export class ColumnRing {
  /** Row-major: column `c` of physical row `i` is at `data[i * width + c]`. */
  data: Float64Array;
  private slots: number;
  /** Physical index of the oldest row. */
  private start = 0;
  private rows = 0;

  constructor(
    readonly width: number,
    capacity: number,
  ) {
    this.data = new Float64Array(width * capacity);
    this.slots = capacity;
  }

  get size(): number {
    return this.rows;
  }

  get capacity(): number {
    return this.slots;
  }

  get bytes(): number {
    return this.data.length * Float64Array.BYTES_PER_ELEMENT;
  }

  /** Physical index of logical row `row` (0 = oldest). */
  at(row: number): number {
    const i = this.start + row;
    return i < this.slots ? i : i - this.slots;
  }

  /** The value in `column` of logical row `row` (0 = oldest). */
  get(row: number, column: number): number {
    return this.data[this.at(row) * this.width + column];
  }

  /** Sets `column` of the physical row `slot` (as `append` returned it). */
  set(slot: number, column: number, value: number): void {
    this.data[slot * this.width + column] = value;
  }

  /** Reserves the next row and returns its physical index; the ring must not be full. */
  append(): number {
    return this.at(this.rows++);
  }

  dropOldest(): void {
    this.start = this.at(1);
    this.rows--;
  }

  /** Number of rows whose value in `column` is `<= value` (the column must not decrease along the ring). */
  upperBound(column: number, value: number): number {
    return this.countBelow(column, value, true);
  }

  /** Number of rows whose value in `column` is `< value` (the column must not decrease along the ring). */
  lowerBound(column: number, value: number): number {
    return this.countBelow(column, value, false);
  }

  /** Binary search for the first row past `value` (past or at it, unless `inclusive`). */
  private countBelow(column: number, value: number, inclusive: boolean): number {
    const data = this.data;
    const width = this.width;
    let lo = 0;
    let hi = this.rows;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = data[this.at(mid) * width + column];
      if (v < value || (inclusive && v === value)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * After rows were dropped: halves the capacity (not below `min`) for as
   * long as less than a quarter of it is used, and moves the rows once.
   */
  shrink(min: number): void {
    let capacity = this.slots;
    while (capacity > min && this.rows < capacity / 4) capacity = Math.max(min, Math.floor(capacity / 2));
    if (capacity < this.slots) this.resize(capacity);
  }

  /** Moves the rows into a new array of `capacity` rows (at least `size`), oldest first. */
  resize(capacity: number): void {
    const width = this.width;
    const old = this.data;
    const data = new Float64Array(capacity * width);
    // the rows run from `start` to the end of the old array, then wrap to its beginning
    const head = Math.min(this.rows, this.slots - this.start);
    data.set(old.subarray(this.start * width, (this.start + head) * width));
    if (head < this.rows) data.set(old.subarray(0, (this.rows - head) * width), head * width);
    this.data = data;
    this.slots = capacity;
    this.start = 0;
  }
}
