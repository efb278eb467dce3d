import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { escapeXml } from '../inspector/markup.js';
import { PAGE_DATA_ID, type PageData } from '../inspector/pageData.js';

/** The page's bundled script and style sheet (dist/inspector/page.js and page.css). */
export interface PageAssets {
  readonly script: string;
  readonly style: string;
}

/** Where `npm run build` puts the bundled page: dist/inspector/, next to this file's dist/src/cli/. */
export const PAGE_ASSETS_DIR = new URL('../../inspector/', import.meta.url);

/** Reads the bundled page; a clear error when the package was not built. */
export function readPageAssets(dir: URL = PAGE_ASSETS_DIR): PageAssets {
  try {
    return {
      script: readFileSync(new URL('page.js', dir), 'utf8'),
      style: readFileSync(new URL('page.css', dir), 'utf8'),
    };
  } catch (error) {
    throw new Error(`the inspector page is not built (${new URL('page.js', dir).pathname}): run npm run build`, {
      cause: error,
    });
  }
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** JSON that cannot end its `<script>` element early, whatever strings the log holds. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * One HTML document with everything inlined: style, data, script. Its Content Security
 * Policy lets only that script and style run and, for a report, no connection at all;
 * a live page may connect to its own server.
 */
export function inspectorHtml(assets: PageAssets, data: PageData): string {
  const connect = data.mode === 'live' ? "'self'" : "'none'";
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(assets.script)}`,
    `style-src ${sha256(assets.style)}`,
    `connect-src ${connect}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const title =
    data.mode === 'report'
      ? `${data.source} · call-session-machine inspector`
      : 'live · call-session-machine inspector';
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    // No request for /favicon.ico, from disk or from the server.
    '<link rel="icon" href="data:,">',
    `<title>${escapeXml(title)}</title>`,
    `<style>${assets.style}</style>`,
    '</head>',
    '<body>',
    '<div id="app"></div>',
    `<script type="application/json" id="${PAGE_DATA_ID}">${jsonForScript(data)}</script>`,
    `<script>${assets.script}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
