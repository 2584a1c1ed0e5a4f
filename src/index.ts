export * from '../libs/webhooks/src';
