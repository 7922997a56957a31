/**
 * An export that cannot be read and will not become readable by trying again (a 4xx, no records
 * at the records path, a next link off the connection's origin, bad SQL): the run fails with this
 * message. Transport failures are `ConnectionFailure`s instead, and the page is retried.
 */
export class ExportFailure extends Error {
  override readonly name = 'ExportFailure';
}
