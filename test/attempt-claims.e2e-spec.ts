import type { ServerResponse } from 'node:http';
import { v7 as uuidv7 } from 'uuid';
import { AttemptClaims, DeliveryQueue } from './support/internals';
import { eventually } from './support/eventually';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import { createSubscription, listDeliveries } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

/**
 * A keyed delivery's attempt is in flight once at a time even when two paths reach it together: here
 * the emitting worker runs its first attempt (no Bull job), and meanwhile the job a predecessor's
 * wake-up or the relay would queue for the same attempt (`<deliveryId>#1`) runs too. The second path
 * loses the attempt's claim in Redis and ends without sending.
 */
describe.each(TEST_DATABASES)('one send per keyed attempt on %s', (database) => {
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;
  const held: ServerResponse[] = [];

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    receiver.respondWith((request, response) => {
      if (request.path === '/held') held.push(response);
      else response.writeHead(204).end();
    });
    hooks = await createWebhooksApp({ database });
  });
  afterAll(async () => {
    held.splice(0).forEach((response) => response.writeHead(204).end());
    await hooks.close();
    await receiver.close();
  });

  it('lets the other path end without sending while the first one is in flight', async () => {
    const subscription = await createSubscription(hooks, 'claims', {
      url: receiver.url('/held'),
      events: ['contact.updated'],
    });
    const emit = (orderingKey?: string) =>
      hooks.webhooks.emit(
        { listId: 'claims', type: 'contact.updated', source: 'api', data: {} },
        { orderingKey },
      );
    // An answered request first, so that the origin takes more than one request at a time: the second
    // path then has a slot, and only the claim can stop it.
    await emit();
    await receiver.waitFor(1, { path: '/held' });
    held.splice(0).forEach((response) => response.writeHead(204).end());

    const {
      deliveryIds: [deliveryId],
    } = await emit('contact-1');
    await receiver.waitFor(2, { path: '/held' });
    await hooks.app.get(DeliveryQueue).enqueueNow([{ deliveryId, attempt: 1 }]);
    // The job ends (Bull removes it) while the first send still waits for its answer.
    await eventually(async () => (await hooks.queue.getJob(`${deliveryId}#1`)) === null, {
      what: 'the second path’s job to end',
    });
    expect(receiver.received('/held')).toHaveLength(2);
    expect(held).toHaveLength(1);

    held.splice(0).forEach((response) => response.writeHead(204).end());
    const [delivery] = await eventually(
      async () => {
        const { data } = await listDeliveries(hooks, 'claims', subscription.id);
        const keyed = data.filter((row) => row.id === deliveryId);
        return keyed[0]?.status === 'succeeded' ? keyed : undefined;
      },
      { what: 'the keyed delivery to succeed' },
    );
    expect(delivery.attemptCount).toBe(1);
    expect(receiver.uniqueIds('/held')).toEqual({ unique: 2, duplicates: 0 });
  });
});

/** Claims made together share one round trip; one failing there must not cost the others theirs. */
describe('attempt claims in one round trip', () => {
  let hooks: WebhooksTestApp;

  beforeAll(async () => {
    hooks = await createWebhooksApp({ database: 'sqlite' });
  });
  afterAll(() => hooks.close());

  it('keeps the claims a failed batch made for their callers, and refuses them to anyone else', async () => {
    const claims = hooks.app.get(AttemptClaims);
    const mine = { deliveryId: uuidv7(), attempt: 1 };
    const broken = { deliveryId: uuidv7(), attempt: 1 };
    // A key of another type makes its claim fail inside the shared batch, which is then made again
    // claim by claim: the one the batch had already set is still its caller's.
    await hooks.queue.client.rpush(hooks.queue.toKey(`claim:${broken.deliveryId}#1`), 'x');
    const [claimed, failed] = await Promise.allSettled([claims.claim(mine), claims.claim(broken)]);
    expect(claimed).toEqual({ status: 'fulfilled', value: true });
    expect(failed.status).toBe('rejected');
    // Another path reaching the same attempt later finds it taken.
    expect(await claims.claim(mine)).toBe(false);
    expect(await claims.claim({ ...mine, attempt: 2 })).toBe(true);
  });
});
