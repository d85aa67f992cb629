/**
 * Iterates `source` one item ahead: while the caller works on item n, item n+1 is already being
 * fetched (a sink applies one page of mart changes while the next page is read). At most one item is
 * held beyond the one being worked on, so memory stays bounded. An error of the read ahead surfaces
 * when the caller asks for that item; leaving the loop early closes the source.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  // A rejection is observed when awaited below; this only keeps Node from reporting it as unhandled meanwhile.
  next.catch(() => undefined);
  let finished = false;
  try {
    for (;;) {
      const current = await next;
      if (current.done) {
        finished = true;
        return;
      }
      next = iterator.next();
      next.catch(() => undefined);
      yield current.value;
    }
  } finally {
    if (!finished) {
      // Let a read in flight settle before closing the source, so nothing runs on a released resource.
      await next.catch(() => undefined);
      await iterator.return?.();
    }
  }
}
