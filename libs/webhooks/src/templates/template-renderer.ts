import { Injectable } from '@nestjs/common';
import { Liquid } from 'liquidjs';
import { describeEvent } from './event-message';
import { renderPreset } from './template-presets';
import type { TemplateEnvelope, WebhookTemplate } from './webhook-template';

/** Longest custom template accepted, in characters. */
export const MAX_TEMPLATE_LENGTH = 20_000;
/** Largest body a template may render, in bytes. */
export const MAX_RENDERED_BYTES = 256 * 1024;
/** Time one render may take, in ms: a template that loops is stopped, the worker is not. */
const RENDER_LIMIT_MS = 50;
/** Bytes Liquid may allocate for one render (strings, ranges, arrays). */
const MEMORY_LIMIT = 4 * 1024 * 1024;

export class TemplateRenderError extends Error {}

export interface RenderedTemplate {
  body: string;
  contentType: string;
}

/**
 * Renders subscriptions' templates. Custom ones are Liquid (liquidjs): no code runs, only the
 * envelope's own properties are reachable, and parsing, rendering time, memory and output size are
 * bounded.
 */
@Injectable()
export class TemplateRenderer {
  private readonly liquid = new Liquid({
    strictFilters: true,
    ownPropertyOnly: true,
    jsTruthy: false,
    renderLimit: RENDER_LIMIT_MS,
    memoryLimit: MEMORY_LIMIT,
    parseLimit: MAX_TEMPLATE_LENGTH,
    cache: 1_000,
  });

  /** What is wrong with a custom template, naming the line (empty when it is fine). */
  problemsOf(template: WebhookTemplate, field = 'template'): string[] {
    if ('preset' in template) return [];
    if (template.body.length > MAX_TEMPLATE_LENGTH) {
      return [`${field}.body must be at most ${MAX_TEMPLATE_LENGTH} characters`];
    }
    try {
      this.liquid.parse(template.body);
      return [];
    } catch (error) {
      return [`${field}.body is not a valid template: ${messageOf(error)}`];
    }
  }

  /** The body and its content type; throws TemplateRenderError when a limit is hit. */
  render(template: WebhookTemplate, event: TemplateEnvelope): RenderedTemplate {
    if ('preset' in template) {
      return { body: renderPreset(template.preset, event), contentType: 'application/json' };
    }
    let body: string;
    try {
      body = this.liquid.parseAndRenderSync(template.body, {
        event,
        message: describeEvent(event),
      }) as string;
    } catch (error) {
      throw new TemplateRenderError(`template failed: ${messageOf(error)}`);
    }
    if (Buffer.byteLength(body) > MAX_RENDERED_BYTES) {
      throw new TemplateRenderError(
        `template rendered more than ${MAX_RENDERED_BYTES} bytes; nothing was sent`,
      );
    }
    return { body, contentType: template.contentType ?? 'application/json' };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
