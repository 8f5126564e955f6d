/**
 * AWS paging (STYLE §5): the SDK's own `paginateX` helpers do the token bookkeeping; this wraps
 * each page request the way `awsCall` wraps a single call, so paged reads keep the same
 * request-id audit and typed errors. Rate limiting stays in the clients' middleware, so every
 * page still takes its token from the account's bucket.
 */
import { awsErrorRequestId, normaliseAwsError, requestIdOf, type AwsCallContext } from './errors.js';

/**
 * Yields the pages of `pages` (an SDK paginator). `onRequest` is called once per page request
 * that was actually sent (success or failure), for call counts. A failed page throws the same
 * AppError `awsCall` would; breaking out of the loop sends no further request.
 */
export async function* awsPages<T>(
  ctx: AwsCallContext,
  requestIds: string[],
  pages: AsyncIterable<T>,
  onRequest?: () => void,
): AsyncGenerator<T, void, undefined> {
  const it = pages[Symbol.asyncIterator]();
  for (;;) {
    let step: IteratorResult<T>;
    try {
      step = await it.next();
    } catch (err) {
      onRequest?.();
      const id = awsErrorRequestId(err);
      if (id !== undefined) requestIds.push(id);
      throw normaliseAwsError(err, ctx);
    }
    if (step.done === true) return;
    onRequest?.();
    const id = requestIdOf(step.value);
    if (id !== undefined) requestIds.push(id);
    yield step.value;
  }
}

/**
 * For a paginator's `withCommand`: the SDK's paginators reuse one input object for every page
 * (and set an unused page-size key to undefined). Give each page's command its own copy of
 * the input, so a recorded command still shows what that page sent.
 */
export function ownInput<C extends { readonly input: object }>(command: C): C {
  const input = Object.fromEntries(Object.entries(command.input).filter(([, v]) => v !== undefined));
  (command as { input: object }).input = input;
  return command;
}
