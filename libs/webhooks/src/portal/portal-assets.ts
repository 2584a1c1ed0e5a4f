import { Injectable } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface PortalAsset {
  body: Buffer;
  contentType: string;
}

/** The page's built files, from the package (`npm run build:portal` writes them). */
const ASSETS = {
  'portal.js': 'text/javascript; charset=utf-8',
  'portal.css': 'text/css; charset=utf-8',
} as const;

export type PortalAssetName = keyof typeof ASSETS;

/** Same relative place from libs/webhooks/src/portal and from its compiled copy under dist/. */
export const PORTAL_ASSETS_DIRECTORY = join(__dirname, '../../portal-ui/dist');

/** Reads each built file once; null for a name that is not one of them or a page not built. */
@Injectable()
export class PortalAssets {
  private readonly loaded = new Map<string, Promise<PortalAsset | null>>();

  get(name: string, directory = PORTAL_ASSETS_DIRECTORY): Promise<PortalAsset | null> {
    if (!Object.hasOwn(ASSETS, name)) return Promise.resolve(null);
    let asset = this.loaded.get(name);
    if (!asset) {
      asset = readFile(join(directory, name)).then(
        (body) => ({ body, contentType: ASSETS[name as PortalAssetName] }),
        () => null,
      );
      this.loaded.set(name, asset);
    }
    return asset;
  }
}
