/**
 * Finds the findings of an answer while it streams: each object of the first list under the root
 * (`{"findings": [{…}, {…}` or a bare `[{…}`) is handed over as soon as its closing brace arrives,
 * so the editor can show it before the model has finished the chunk. What cannot be parsed on its
 * own is left to the whole answer's parse (`parseModelOutput`), which stays the one that counts.
 */
export class FindingStream {
  private text = '';
  private pos = 0;
  private started = false;
  private inString = false;
  private escaped = false;
  private readonly stack: string[] = [];
  private itemStart = -1;
  private done = false;

  /** Adds streamed text; returns the finding objects it completed, parsed. */
  push(delta: string): unknown[] {
    if (this.done) return [];
    this.text += delta;
    const out: unknown[] = [];
    const t = this.text;
    for (; this.pos < t.length; this.pos++) {
      const c = t[this.pos];
      if (!this.started) {
        if (c !== '{' && c !== '[') continue;
        this.started = true;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') {
        this.stack.push(c);
        if (c === '{' && this.isItemDepth(this.stack.length - 1) && this.itemStart < 0) this.itemStart = this.pos;
      } else if (c === '}' || c === ']') {
        const open = this.stack.pop();
        if (open === '{' && this.itemStart >= 0 && this.isItemDepth(this.stack.length)) {
          try {
            out.push(JSON.parse(t.slice(this.itemStart, this.pos + 1)));
          } catch {
            /* left to the whole answer's parse */
          }
          this.itemStart = -1;
        }
        if (this.stack.length === 0) {
          this.done = true;
          break;
        }
      }
    }
    // Text before the current item is never read again.
    if (this.itemStart < 0 && this.pos > 4096) {
      this.text = this.text.slice(this.pos);
      this.pos = 0;
    } else if (this.itemStart > 4096) {
      this.text = this.text.slice(this.itemStart);
      this.pos -= this.itemStart;
      this.itemStart = 0;
    }
    return out;
  }

  /** An object opened at `depth` (stack length before it) is a finding: inside the root list, or the root's first list. */
  private isItemDepth(depth: number): boolean {
    const rootIsArray = this.stack[0] === '[';
    const itemDepth = rootIsArray ? 1 : 2;
    return depth === itemDepth && this.stack[itemDepth - 1] === '[';
  }
}
