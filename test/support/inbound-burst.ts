import { Webhook } from 'standardwebhooks';

/** The secret of the burst's standard-webhooks endpoint. */
export const BURST_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
/** Distinct events of a burst: the requests after them repeat some. */
const UNIQUE = 900;

/** Request `n` of a burst: the first 900 are distinct events, the last 100 repeat some of them. */
export function burstRequest(n: number): {
  id: string;
  body: string;
  headers: Record<string, string>;
} {
  const event = n < UNIQUE ? n : (n * 7) % UNIQUE;
  const id = `msg_${event}`;
  const body = JSON.stringify({ type: 'contact.created', data: { n: event } });
  const at = new Date();
  return {
    id,
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(BURST_SECRET).sign(id, at, body),
    },
  };
}

/** Sends requests `0…total-1` from `senders` concurrent senders; resolves with each one's status. */
export async function sendBurst(
  url: string,
  total: number,
  senders: number,
  onAnswer: (n: number, status: number) => void = () => undefined,
): Promise<number[]> {
  const statuses = new Array<number>(total).fill(0);
  let next = 0;
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (next < total) {
        const n = next++;
        const { body, headers } = burstRequest(n);
        const answer = await fetch(url, { method: 'POST', headers, body });
        await answer.arrayBuffer();
        statuses[n] = answer.status;
        onAnswer(n, answer.status);
      }
    }),
  );
  return statuses;
}
