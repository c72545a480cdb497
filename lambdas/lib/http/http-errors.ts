/** Errors about the HTTP exchange itself (not the domain): wrong media type, unreadable body. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}
