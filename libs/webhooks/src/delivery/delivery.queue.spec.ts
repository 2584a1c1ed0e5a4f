import { firstAttemptsJobData, freshDeliveriesOf, type FreshDelivery } from './delivery.queue';

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
});
