/**
 * A destination error that will not go away by trying again (a missing table, bad SQL, a 4xx to
 * a batch, a body template that is not JSON): the run fails with the database's or server's
 * message. Transport failures are `ConnectionFailure`s instead, and the page is retried.
 */
export class ImportFailure extends Error {
  override readonly name = 'ImportFailure';
}
