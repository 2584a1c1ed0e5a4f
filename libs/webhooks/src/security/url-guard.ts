import { Inject, Injectable } from '@nestjs/common';
import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { WebhookUrlNotAllowedError } from '../webhooks.errors';
import { withTimeout } from '../common/with-timeout';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { checkWebhookUrl, isAddressAllowed, TargetAllowList, type UrlCheck } from './url-policy';

export const BLOCKED_ADDRESS_CODE = 'ERR_WEBHOOK_ADDRESS_BLOCKED';
/** How long subscription-time resolution may take; a name that takes longer counts as not resolving. */
const RESOLVE_TIMEOUT_MS = 2_000;

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** The outbound URL policy, applied when a subscription is saved, before each send and at connect time. */
@Injectable()
export class UrlGuard {
  private readonly allowList: TargetAllowList;

  constructor(@Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions) {
    this.allowList = new TargetAllowList(options.allowedTargets);
  }

  check(url: string): UrlCheck {
    return checkWebhookUrl(url, this.options, this.allowList);
  }

  /**
   * Static check plus resolution: a name that resolves to a non-public address, or (unless
   * `allowUnresolvedHosts`) does not resolve at all, is refused with a clear 400.
   */
  async assertAcceptable(url: string): Promise<void> {
    const check = this.check(url);
    if (!check.allowed) throw new WebhookUrlNotAllowedError(check.reason);
    const { host } = check;
    if (this.options.allowPrivateNetworks || this.allowList.allowsHost(host) || isIP(host)) return;
    const addresses = await withTimeout(this.options.resolveHost(host), RESOLVE_TIMEOUT_MS).catch(
      (): string[] => [],
    );
    if (addresses.length === 0) {
      if (this.options.allowUnresolvedHosts) return;
      throw new WebhookUrlNotAllowedError(`${host} does not resolve`);
    }
    const blocked = addresses.find(
      (address) => !isAddressAllowed(address, this.options, this.allowList),
    );
    if (blocked) throw new WebhookUrlNotAllowedError(`${host} resolves to a non-public address`);
  }

  /**
   * `lookup` for the HTTP client's sockets: resolves, then refuses non-public addresses, so the address
   * checked is the address connected to (no DNS rebinding). Hosts on the allow-list pass as they resolve.
   */
  readonly lookup = (
    hostname: string,
    options: { all?: boolean },
    callback: LookupCallback,
  ): void => {
    this.options
      .resolveHost(hostname)
      .then((addresses) => {
        const trusted = this.options.allowPrivateNetworks || this.allowList.allowsHost(hostname);
        const blocked = addresses.find(
          (address) => !isAddressAllowed(address, this.options, this.allowList),
        );
        if (addresses.length === 0 || (!trusted && blocked)) {
          const refusal: NodeJS.ErrnoException = new Error(
            `${hostname} resolves to a non-public address`,
          );
          refusal.code = BLOCKED_ADDRESS_CODE;
          return callback(refusal, []);
        }
        const entries = addresses.map((address) => ({
          address,
          family: address.includes(':') ? 6 : 4,
        }));
        if (options.all) callback(null, entries);
        else callback(null, entries[0].address, entries[0].family);
      })
      .catch((error: NodeJS.ErrnoException) => callback(error, []));
  };
}
