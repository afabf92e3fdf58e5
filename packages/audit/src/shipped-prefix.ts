/**
 * Which ids are shipped, when pages commit out of order. Pages are issued in
 * id order; the audit's progress may only move to the end of the longest run
 * of committed pages from the start, because "shipped through id N" must mean
 * every row up to N. A page that fails holds the progress before it, so the
 * pages after it ship again next round (the audit ignores the duplicates).
 */
export class ShippedPrefix {
  private readonly pages: { lastId: number; committed: boolean }[] = [];

  /** A page was sent; returns its handle for {@link commit}. */
  issue(lastId: number): { lastId: number; committed: boolean } {
    const page = { lastId, committed: false };
    this.pages.push(page);
    return page;
  }

  /**
   * Marks a page committed; returns the id the progress can now move to, or
   * undefined when a page issued before it is still open.
   */
  commit(page: { lastId: number; committed: boolean }): number | undefined {
    page.committed = true;
    let through: number | undefined;
    while (this.pages[0]?.committed === true) through = this.pages.shift()!.lastId;
    return through;
  }
}
