/** What became of a change the admin sent from the popup. */
export type ChangeOutcome<T> =
  | { kind: "done"; result: T }
  /** The backend was unreachable: the change waits in the offline queue. */
  | { kind: "queued" }
  | { kind: "refused"; message: string };
