/**
 * Every LSP handler goes through `guard`: an error is logged to the client's output and the request
 * gets its empty result, so one bad document never takes the server down. A ResponseError is a
 * deliberate answer and goes through as is: ContentModified/RequestCancelled for a request on an
 * outdated version, or a message for the user (why a name cannot be renamed).
 */
import { LSPErrorCodes, ResponseError, type CancellationToken, type Connection } from 'vscode-languageserver';

export function guard<P, R>(
  connection: Connection,
  name: string,
  empty: R,
  handler: (params: P, token: CancellationToken) => R | Promise<R>,
): (params: P, token: CancellationToken) => Promise<R | ResponseError<void>> {
  return async (params, token) => {
    try {
      const result = await handler(params, token);
      if (token.isCancellationRequested) return cancelled();
      return result;
    } catch (error) {
      if (error instanceof ResponseError) return error as ResponseError<void>;
      connection.console.error(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return empty;
    }
  };
}

/** For notifications: log, never throw. */
export function guardNotification<P>(connection: Connection, name: string, handler: (params: P) => void | Promise<void>): (params: P) => Promise<void> {
  return async (params) => {
    try {
      await handler(params);
    } catch (error) {
      connection.console.error(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  };
}

function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
}
