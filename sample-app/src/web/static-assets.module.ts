import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

/** `sample-app/public/`, the same from `src/web/` (tests) and `dist/web/` (`npm start`). */
export const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

/** The folder of an installed package, found the way Node does: `node_modules/<name>` up from here. */
export function packageDir(name: string, from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`package ${name} not found from ${from}`);
  }
}

/**
 * URL → folder of the static files: the pages, and the browser builds their import map points at.
 * `/vendor/reliable-socket-client/` serves the SDK's built `dist/` (build it first), and
 * `/vendor/socket.io-client/` socket.io-client's `dist/` (whose `socket.io.esm.min.js` is the ESM build).
 */
export function staticRoots(): Array<{ prefix?: string; dir: string }> {
  return [
    { dir: PUBLIC_DIR },
    { prefix: '/vendor/socket.io-client', dir: join(packageDir('socket.io-client'), 'dist') },
    { prefix: '/vendor/reliable-socket-client', dir: join(packageDir('@reliable-socket/client'), 'dist') },
  ];
}

/**
 * Serves the web pages (`/` chat, `/admin` campaigns) with express static, no build tool involved.
 * Registered at module init: after the controllers' routes (which win) and before Nest's 404 handler.
 */
@Module({})
export class StaticAssetsModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter as unknown as { useStaticAssets?: (dir: string, options: object) => void };
    if (typeof adapter?.useStaticAssets !== 'function') return; // not the Express platform
    for (const { prefix, dir } of staticRoots()) {
      adapter.useStaticAssets(dir, { prefix, extensions: ['html'], index: 'index.html', fallthrough: true });
    }
  }
}
