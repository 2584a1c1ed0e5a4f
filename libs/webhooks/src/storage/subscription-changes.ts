import { Injectable } from '@nestjs/common';

/**
 * Counts the changes this process made to subscriptions (URL, secret, headers, status, removal),
 * each counted once it is written: a copy of a subscription read before the count last moved may
 * predate one of them (see the workers' `SubscriptionSnapshots`). Health counters are not changes.
 */
@Injectable()
export class SubscriptionChanges {
  private changes = 0;

  get count(): number {
    return this.changes;
  }

  /** Call once the change is committed: a copy read after the count moved must see it. */
  record(): void {
    this.changes++;
  }
}
