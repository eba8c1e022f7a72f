// One costly resource (the maps' WebGL renderer) shared by whoever holds a lease on it: made for the first lease,
// released as soon as the last lease ends (not when the garbage collector gets round to it), and made afresh for
// later leases once it is lost.

/** A user's hold on the shared resource. */
export type Lease<R> = { readonly resource: R; readonly lost: boolean };

type Group<R> = { resource: R; leases: Set<LeaseOf<R>>; lost: boolean };
type LeaseOf<R> = Lease<R> & { group: Group<R>; onLost: () => void };

export class SharedResource<R> {
  private current: Group<R> | null = null;

  /**
   * ``make`` builds the resource and calls ``lose`` if it is ever lost (e.g. the browser drops a WebGL context);
   * ``release`` frees it when its last lease ends.
   */
  constructor(
    private readonly make: (lose: () => void) => R,
    private readonly release: (resource: R) => void,
  ) {}

  /** A lease on the current resource (a new one when there is none or it was lost); ``onLost`` is called if it is lost. */
  join(onLost: () => void): Lease<R> {
    if (!this.current || this.current.lost) {
      const group: Group<R> = { resource: undefined as R, leases: new Set(), lost: false };
      group.resource = this.make(() => this.lose(group));
      this.current = group;
    }
    const group = this.current;
    const lease: LeaseOf<R> = {
      group,
      onLost,
      get resource() {
        return group.resource;
      },
      get lost() {
        return group.lost;
      },
    };
    group.leases.add(lease);
    return lease;
  }

  /** End a lease (again is harmless); the last one releases the resource. */
  leave(lease: Lease<R>): void {
    const { group } = lease as LeaseOf<R>;
    if (!group.leases.delete(lease as LeaseOf<R>) || group.leases.size > 0) return;
    if (this.current === group) this.current = null;
    this.release(group.resource);
  }

  private lose(group: Group<R>): void {
    if (group.lost) return;
    group.lost = true;
    group.leases.forEach((lease) => lease.onLost());
  }
}
