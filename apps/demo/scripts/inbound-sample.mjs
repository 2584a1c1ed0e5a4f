#!/usr/bin/env node
// Sends a correctly signed sample webhook of Stripe, Typeform or Shopify to the running demo's
// inbound endpoint for it (its receiving path read from GET /integrations), or prints it as a curl line.
//
//   npm run demo:inbound -- stripe|typeform|shopify [--email jenny.rosen@example.com] [--curl]
//
// DEMO_URL (default http://localhost:$PORT, PORT 3000) is where the demo runs; DEMO_STRIPE_SECRET,
// DEMO_TYPEFORM_SECRET and DEMO_SHOPIFY_SECRET, like the demo's, default to its fixed demo secrets.
// Signed as each provider documents it, with node's crypto: Stripe `t=<ts>,v1=<hex HMAC-SHA256 of
// "ts.body">` (5 minutes of tolerance: run a printed curl line soon), Shopify the base64 HMAC-SHA256
// of the body, Typeform `sha256=` and the same.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import process from 'node:process';

const SECRETS = {
  stripe: process.env.DEMO_STRIPE_SECRET || 'whsec_demo_stripe_signing_secret',
  typeform: process.env.DEMO_TYPEFORM_SECRET || 'demo-typeform-secret',
  shopify: process.env.DEMO_SHOPIFY_SECRET || 'demo-shopify-app-secret',
};
const USAGE =
  'usage: npm run demo:inbound -- stripe|typeform|shopify [--email jenny.rosen@example.com] [--curl]';

const hmac = (secret, data, encoding) => createHmac('sha256', secret).update(data).digest(encoding);
const hex = (bytes) => randomBytes(bytes).toString('hex');

/** Each provider's sample request: its JSON body and the headers it signs it with. */
const SAMPLES = {
  stripe(email) {
    const created = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      id: `evt_${hex(12)}`,
      object: 'event',
      api_version: '2024-06-20',
      created,
      type: 'customer.created',
      livemode: false,
      data: {
        object: {
          id: `cus_${hex(7)}`,
          object: 'customer',
          email,
          name: 'Jenny Rosen',
          created,
        },
      },
    });
    const t = Math.floor(Date.now() / 1000);
    return {
      body,
      headers: { 'Stripe-Signature': `t=${t},v1=${hmac(SECRETS.stripe, `${t}.${body}`, 'hex')}` },
    };
  },
  typeform(email) {
    const field = (id, type, ref) => ({ id, type, ref });
    const body = JSON.stringify({
      event_id: `01${hex(12).toUpperCase()}`,
      event_type: 'form_response',
      form_response: {
        form_id: 'lT4Z3j',
        token: hex(16),
        landed_at: new Date(Date.now() - 60_000).toISOString(),
        submitted_at: new Date().toISOString(),
        hidden: {},
        definition: { id: 'lT4Z3j', title: 'Tell us about you' },
        answers: [
          { type: 'email', email, field: field('SMEUb7VJz92Q', 'email', 'email') },
          {
            type: 'choice',
            choice: { label: 'Paris' },
            field: field('k6TP9oLGgHjl', 'multiple_choice', 'city'),
          },
          { type: 'text', text: 'Acme', field: field('JwWggjAKtOkA', 'short_text', 'company') },
          { type: 'number', number: 9, field: field('Q7M2eTvvFJhz', 'opinion_scale', 'score') },
        ],
      },
    });
    return {
      body,
      headers: { 'Typeform-Signature': `sha256=${hmac(SECRETS.typeform, body, 'base64')}` },
    };
  },
  shopify(email) {
    const number = 1000 + Math.floor(Math.random() * 9000);
    const body = JSON.stringify({
      id: Date.now() * 1000 + Math.floor(Math.random() * 1000),
      name: `#${number}`,
      order_number: number,
      email,
      created_at: new Date().toISOString(),
      currency: 'EUR',
      total_price: '59.00',
      line_items: [{ title: 'Spring bouquet', quantity: 1, price: '59.00' }],
      customer: { email, first_name: 'Jenny', last_name: 'Rosen' },
    });
    return {
      body,
      headers: {
        'X-Shopify-Topic': 'orders/create',
        'X-Shopify-Webhook-Id': randomUUID(),
        'X-Shopify-Shop-Domain': 'demo-shop.myshopify.com',
        'X-Shopify-Hmac-Sha256': hmac(SECRETS.shopify, body, 'base64'),
      },
    };
  },
};

function parseArgs(argv) {
  const [provider, ...rest] = argv;
  const options = { provider, email: 'jenny.rosen@example.com', curl: false };
  for (let i = 0; i < rest.length; i += 1) {
    if (rest[i] === '--curl') options.curl = true;
    else if (rest[i] === '--email' && rest[i + 1]) options.email = rest[(i += 1)];
    else throw new Error(USAGE);
  }
  if (!Object.hasOwn(SAMPLES, provider ?? '')) throw new Error(USAGE);
  return options;
}

const quote = (value) => `'${value.replaceAll("'", `'\\''`)}'`;

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const base = (process.env.DEMO_URL || `http://localhost:${process.env.PORT || 3000}`).replace(
    /\/+$/,
    '',
  );
  const listing = await fetch(`${base}/integrations`).catch((error) => {
    throw new Error(
      `the demo does not answer at ${base} (${error.cause?.code ?? error.message}): npm start`,
    );
  });
  if (!listing.ok) throw new Error(`GET ${base}/integrations answered ${listing.status}`);
  const integration = (await listing.json()).find((item) => item.provider === options.provider);
  if (!integration) throw new Error(`the demo has no ${options.provider} endpoint`);
  const url = `${base}${integration.path}`;
  const { body, headers } = SAMPLES[options.provider](options.email);
  const allHeaders = { 'Content-Type': 'application/json', ...headers };

  if (options.curl) {
    const flags = Object.entries(allHeaders).map(
      ([name, value]) => `-H ${quote(`${name}: ${value}`)}`,
    );
    console.log(`curl -X POST ${quote(url)} ${flags.join(' ')} --data-binary ${quote(body)}`);
    return;
  }
  const response = await fetch(url, { method: 'POST', headers: allHeaders, body });
  console.log(
    `${options.provider} ${integration.type} for ${options.email} → ${response.status} ${await response.text()}`,
  );
  console.log(`what the demo did: curl ${base}/integrations ; what it sent on: curl ${base}/inbox`);
  if (!response.ok) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
