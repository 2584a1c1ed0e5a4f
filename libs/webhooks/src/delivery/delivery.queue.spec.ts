import type { AttemptEvent } from '../storage/delivery.store';
import {
  MAX_CARRIED_DATA_LENGTH,
  firstAttemptsJobData,
  freshDeliveriesOf,
  type FreshDelivery,
} from './delivery.queue';

describe('first-attempts job data', () => {
  const at = (ms: number) => new Date(Date.UTC(2026, 11, 6, 12, 0, 0, ms));
  const deliveries: FreshDelivery[] = [
    { id: 'd1', subscriptionId: 's1', ordered: false, dueAt: at(5) },
    { id: 'd2', subscriptionId: 's2', ordered: true, dueAt: at(3) },
    { id: 'd3', subscriptionId: 's1', ordered: false, dueAt: at(9) },
  ];

  it('carries each delivery’s subscription, the ordered ones and the earliest due time', () => {
    const data = firstAttemptsJobData(deliveries);
    expect(data).toEqual({
      deliveryIds: ['d1', 'd2', 'd3'],
      subscriptionIds: ['s1', 's2', 's1'],
      ordered: [1],
      dueAt: at(3).getTime(),
    });
    // Through Redis and back (Bull stores job data as JSON).
    expect(freshDeliveriesOf(JSON.parse(JSON.stringify(data)))).toEqual(
      deliveries.map((delivery) => ({ ...delivery, dueAt: at(3) })),
    );
  });

  it('leaves out the ordered positions when none is ordered', () => {
    expect(firstAttemptsJobData([deliveries[0]])).not.toHaveProperty('ordered');
  });

  it('reads a job without them, or with them damaged, as ids only', () => {
    const { deliveryIds, subscriptionIds, dueAt } = firstAttemptsJobData(deliveries);
    expect(freshDeliveriesOf({ deliveryIds })).toBeNull();
    expect(freshDeliveriesOf({ deliveryIds, subscriptionIds })).toBeNull();
    expect(freshDeliveriesOf({ deliveryIds, subscriptionIds: ['s1'], dueAt })).toBeNull();
    expect(
      freshDeliveriesOf({ deliveryIds, subscriptionIds: ['s1', 2, 's3'] as never, dueAt }),
    ).toBeNull();
    expect(freshDeliveriesOf({ deliveryIds, subscriptionIds, dueAt: Number.NaN })).toBeNull();
    expect(
      freshDeliveriesOf({ deliveryIds, subscriptionIds, dueAt, ordered: 'x' as never }),
    ).toBeNull();
    expect(
      freshDeliveriesOf({ deliveryIds, subscriptionIds, dueAt, ordered: ['0'] as never }),
    ).toBeNull();
    expect(freshDeliveriesOf({ deliveryIds, subscriptionIds, dueAt, ordered: [3] })).toBeNull();
  });

  describe('with the events of their emit', () => {
    const event = (id: string, dataJson = '{"contact":{"id":42}}'): AttemptEvent => ({
      id,
      tenantId: 't1',
      listId: 'l1',
      type: 'contact.subscribed',
      source: 'api',
      occurredAt: at(1),
      traceParent: null,
      orderingKey: null,
      dataJson,
    });
    const e1 = event('e1');
    const e2 = {
      ...event('e2'),
      orderingKey: 'contact-42',
      traceParent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    };
    const carrying: FreshDelivery[] = [
      { ...deliveries[0], event: e1 },
      { ...deliveries[1], event: e2 },
      { ...deliveries[2], event: e1 },
    ];

    it('carries each event once, and gives every delivery its own back', () => {
      const data = firstAttemptsJobData(carrying);
      expect(data.events?.map((carried) => carried.id)).toEqual(['e1', 'e2']);
      expect(data.eventOf).toEqual([0, 1, 0]);
      expect(freshDeliveriesOf(JSON.parse(JSON.stringify(data)))).toEqual(
        carrying.map((delivery) => ({ ...delivery, dueAt: at(3) })),
      );
    });

    it('leaves out an event whose data is too long: its deliveries are loaded', () => {
      const long = event('e3', JSON.stringify({ note: 'x'.repeat(MAX_CARRIED_DATA_LENGTH) }));
      const data = firstAttemptsJobData([
        { ...deliveries[0], event: long },
        { ...deliveries[2], event: e1 },
      ]);
      expect(data.events?.map((carried) => carried.id)).toEqual(['e1']);
      const read = freshDeliveriesOf(JSON.parse(JSON.stringify(data)));
      expect(read?.map((delivery) => delivery.event?.id)).toEqual([undefined, 'e1']);
    });

    it('reads damaged events as none carried, keeping the rest of the job', () => {
      const data = firstAttemptsJobData(carrying);
      const damaged = [
        { ...data, eventOf: [0, 1] },
        { ...data, eventOf: [0, 2, 0] },
        { ...data, eventOf: [0, 1.5, 0] },
        { ...data, events: 'x' as never },
        { ...data, events: [data.events?.[0], { ...data.events?.[1], occurredAt: 'x' }] as never },
        { ...data, events: [{ ...data.events?.[0], dataJson: null }, data.events?.[1]] as never },
      ];
      for (const job of damaged) {
        const read = freshDeliveriesOf(job);
        expect(read?.map((delivery) => delivery.id)).toEqual(['d1', 'd2', 'd3']);
        expect(read?.map((delivery) => delivery.event)).toEqual([undefined, undefined, undefined]);
      }
    });
  });
});
