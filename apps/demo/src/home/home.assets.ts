import { Injectable, NotFoundException } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const HOME_ASSETS = {
  'home.js': 'text/javascript; charset=utf-8',
  'home.css': 'text/css; charset=utf-8',
} as const;

export type HomeAssetName = keyof typeof HOME_ASSETS;

/**
 * apps/demo/public, from this folder (under `nest start` and the tests) or from its compiled copy
 * under dist/ (`npm start`): tsc leaves the plain files where they are.
 */
const PUBLIC_DIRECTORY = [
  join(__dirname, '../../public'),
  join(__dirname, '../../../../../apps/demo/public'),
].find((directory) => existsSync(join(directory, 'home.js')));

/** The dashboard's script and stylesheet, read on each request so that edits show on reload. */
@Injectable()
export class HomeAssets {
  async read(name: HomeAssetName): Promise<string> {
    if (PUBLIC_DIRECTORY === undefined) throw new NotFoundException(`${name} is missing`);
    return readFile(join(PUBLIC_DIRECTORY, name), 'utf8');
  }
}
