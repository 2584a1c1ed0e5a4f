import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { BUILT_IN_INBOUND_SCHEMES } from './schemes/built-in-schemes';
import type { BuiltInInboundScheme } from './schemes/inbound-scheme';

/** The verification schemes of this module: the built-in ones and those of `inbound.schemes`. */
@Injectable()
export class InboundSchemes {
  private readonly schemes = new Map<string, BuiltInInboundScheme>();

  constructor(@Inject(WEBHOOKS_OPTIONS) options: ResolvedWebhooksOptions) {
    for (const scheme of BUILT_IN_INBOUND_SCHEMES) this.schemes.set(scheme.name, scheme);
    for (const scheme of options.inboundSchemes) {
      if (this.schemes.has(scheme.name)) {
        throw new Error(
          `Invalid WebhooksModule options: inbound.schemes has a second scheme named "${scheme.name}"`,
        );
      }
      this.schemes.set(scheme.name, scheme);
    }
  }

  get(name: string): BuiltInInboundScheme | undefined {
    return this.schemes.get(name);
  }

  names(): string[] {
    return [...this.schemes.keys()];
  }

  /**
   * Problems of an endpoint's scheme, settings and secret (`null`: none given, one is generated;
   * `undefined`: unchanged), each naming its field.
   */
  problems(
    name: string,
    settings: Record<string, string>,
    secret: string | null | undefined,
  ): string[] {
    const scheme = this.schemes.get(name);
    if (!scheme) return [`scheme must be one of: ${this.names().join(', ')}`];
    const problems = scheme.settingsProblems?.(settings) ?? [];
    if (secret === null && scheme.providerIssuesSecret) {
      problems.push(`secret is required for scheme ${name}: the provider issues it`);
    }
    const secretProblem = secret ? scheme.secretProblem?.(secret) : null;
    if (secretProblem) problems.push(secretProblem);
    return problems;
  }

  generateSecret(name: string): string {
    return this.schemes.get(name)?.generateSecret?.() ?? randomBytes(32).toString('base64url');
  }
}
