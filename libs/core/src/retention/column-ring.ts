/**
 * Rows of float64 columns in a growable ring: the storage behind a feed's
 * points and the batch index. Rows are appended at the back and dropped from
 * the front; a column whose values never decrease along the ring can be
 * binary-searched.
 */
export class ColumnRing {
  columns: Float64Array[];
  /** Physical index of the oldest row. */
  private start = 0;
  private rows = 0;

  constructor(width: number, capacity: number) {
    this.columns = Array.from({ length: width }, () => new Float64Array(capacity));
  }

  get size(): number {
    return this.rows;
  }

  get capacity(): number {
    return this.columns[0].length;
  }

  get bytes(): number {
    return this.capacity * this.columns.length * Float64Array.BYTES_PER_ELEMENT;
  }

  /** Physical index of logical row `row` (0 = oldest). */
  at(row: number): number {
    const i = this.start + row;
    const capacity = this.columns[0].length;
    return i < capacity ? i : i - capacity;
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
    const values = this.columns[column];
    let lo = 0;
    let hi = this.rows;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = values[this.at(mid)];
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
    let capacity = this.capacity;
    while (capacity > min && this.rows < capacity / 4) capacity = Math.max(min, Math.floor(capacity / 2));
    if (capacity < this.capacity) this.resize(capacity);
  }

  /** Moves the rows into new columns of `capacity` (at least `size`), oldest first. */
  resize(capacity: number): void {
    this.columns = this.columns.map((old) => {
      const column = new Float64Array(capacity);
      for (let row = 0; row < this.rows; row++) column[row] = old[this.at(row)];
      return column;
    });
    this.start = 0;
  }
}
