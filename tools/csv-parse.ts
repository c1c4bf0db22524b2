/**
 * A small streaming RFC 4180 CSV reader for the offline verifier: quoted fields with doubled quotes, commas and
 * line breaks inside; LF or CRLF records; a UTF-8 BOM at the start is dropped. Text is pushed in pieces of any
 * size; complete records come out.
 */
export class CsvReader {
  #field = '';
  #record: string[] = [];
  /** Inside quotes; or just saw a quote inside quotes (an escaped quote or the closing one). */
  #state: 'start' | 'plain' | 'quoted' | 'quote-in-quoted' = 'start';
  #first = true;
  #pendingCr = false;
  /** Set when the text breaks the format (text after a closing quote, an unterminated quote at the end). */
  error: string | undefined;
  #line = 1;

  /** Feeds text; returns the records completed by it. */
  push(text: string): string[][] {
    const out: string[][] = [];
    let s = text;
    if (this.#first && s.length) {
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      this.#first = false;
    }
    for (let i = 0; i < s.length; i++) {
      const c = s[i] as string;
      if (this.#pendingCr) {
        this.#pendingCr = false;
        if (c === '\n') continue;
      }
      switch (this.#state) {
        case 'quoted':
          if (c === '"') this.#state = 'quote-in-quoted';
          else {
            if (c === '\n') this.#line++;
            this.#field += c;
          }
          break;
        case 'quote-in-quoted':
          if (c === '"') {
            this.#field += '"';
            this.#state = 'quoted';
          } else if (c === ',') this.#endField();
          else if (c === '\n' || c === '\r') this.#endRecord(out, c);
          else {
            this.error ??= `line ${this.#line}: text after a closing quote`;
            this.#field += c;
            this.#state = 'plain';
          }
          break;
        default:
          if (c === ',') this.#endField();
          else if (c === '\n' || c === '\r') this.#endRecord(out, c);
          else if (c === '"' && this.#state === 'start') {
            this.#state = 'quoted';
          } else {
            if (c === '"') this.error ??= `line ${this.#line}: a quote inside an unquoted field`;
            this.#field += c;
            this.#state = 'plain';
          }
      }
    }
    return out;
  }

  /** Ends the input; returns the last record if it had no line break. */
  end(): string[][] {
    if (this.#state === 'quoted') this.error ??= `line ${this.#line}: a quoted field is not closed`;
    if (this.#state === 'start' && this.#record.length === 0 && this.#field === '') return [];
    const out: string[][] = [];
    this.#endRecord(out, '\n');
    return out;
  }

  #endField() {
    this.#record.push(this.#field);
    this.#field = '';
    this.#state = 'start';
  }

  #endRecord(out: string[][], c: string) {
    this.#endField();
    if (c === '\r') this.#pendingCr = true;
    this.#line++;
    const record = this.#record;
    this.#record = [];
    // A blank line (one empty unquoted field) is not a record.
    if (record.length === 1 && record[0] === '') return;
    out.push(record);
  }
}
