/** `nestjs-marketing-webhooks/health`: the @nestjs/terminus indicator (needs @nestjs/terminus installed). */
export { WebhooksHealthIndicator } from '../libs/webhooks/src/health/webhooks.health-indicator';
