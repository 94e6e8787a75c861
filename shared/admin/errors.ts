import { ValidationError } from '../domain/errors.js';

export interface RowError {
  /** Spreadsheet row number: the header is row 1, the first patient row 2. */
  row: number;
  /** The CSV column (or "file" when the problem is not one cell). */
  field: string;
  message: string;
}

/** A CSV import that cannot be written as a whole: every bad cell is listed, nothing was stored. */
export class CsvRowsError extends ValidationError {
  constructor(
    message: string,
    readonly rows: RowError[],
  ) {
    super(message);
  }
}
