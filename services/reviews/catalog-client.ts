// Where the monolith joined the books table, the reviews service asks the catalog service over HTTP.
// Every call has a timeout; a catalog that is down or slow becomes a clear 503, a broken answer a 502.
import { HttpError } from '../kit/http.ts';

export interface BookRef {
  id: number;
  title: string;
}

export class CatalogClient {
  constructor(
    readonly baseUrl: string,
    readonly timeoutMs: number,
  ) {}

  /** The book, or null when the catalog says it does not exist. */
  async getBook(id: number): Promise<BookRef | null> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}/books/${id}`;
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'application/json' } });
    } catch (err) {
      const why = (err as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : 'connection failed';
      throw new HttpError(503, 'catalog_unavailable', `catalog service at ${this.baseUrl} is unavailable (${why}); book details cannot be loaded, try again later`);
    }
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    let body: unknown;
    try {
      body = res.ok ? await res.json() : undefined;
    } catch {
      body = undefined;
    }
    const book = body as { id?: unknown; title?: unknown } | undefined;
    if (!res.ok || typeof book?.id !== 'number' || typeof book.title !== 'string') {
      if (!res.ok) await res.body?.cancel().catch(() => undefined);
      throw new HttpError(502, 'bad_gateway', `catalog service at ${this.baseUrl} answered GET /books/${id} with status ${res.status} and no usable book`);
    }
    return { id: book.id, title: book.title };
  }

  /** Titles for many books at once (one call per distinct id, in parallel); missing books are left out. */
  async titles(ids: number[]): Promise<Map<number, string>> {
    const unique = [...new Set(ids)];
    const books = await Promise.all(unique.map((id) => this.getBook(id)));
    const out = new Map<number, string>();
    for (const b of books) if (b) out.set(b.id, b.title);
    return out;
  }
}
