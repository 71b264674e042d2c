import { createHash } from 'node:crypto';
import { defineConfig, type Plugin } from 'vite';

// worklog serves the UI with `Content-Security-Policy: default-src 'self'`, which blocks
// `data:` images. Pico CSS draws its checkbox ticks, select chevrons and spinners with
// `url("data:image/svg+xml,...")`; this plugin writes each of them to a hashed .svg file
// beside the stylesheet and points the stylesheet at that file instead.
function externalizeCssDataUris(): Plugin {
  // url("data:..."), url('data:...') or url(data:...): the quoted forms may hold the other quote.
  const pattern = /url\(\s*(?:"(data:image\/svg\+xml[^"]*)"|'(data:image\/svg\+xml[^']*)'|(data:image\/svg\+xml[^)'"\s]*))\s*\)/g;
  return {
    name: 'worklog:externalize-css-data-uris',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      for (const asset of Object.values(bundle)) {
        if (asset.type !== 'asset' || !asset.fileName.endsWith('.css')) continue;
        const css = typeof asset.source === 'string' ? asset.source : new TextDecoder().decode(asset.source);
        const dir = asset.fileName.includes('/') ? asset.fileName.slice(0, asset.fileName.lastIndexOf('/') + 1) : '';
        const rewritten = css.replace(pattern, (_all, dq?: string, sq?: string, bare?: string) => {
          const uri = (dq ?? sq ?? bare) as string;
          const base64 = /^data:[^,]*;base64,/.test(uri);
          const payload = uri.slice(uri.indexOf(',') + 1);
          const svg = base64 ? Buffer.from(payload, 'base64').toString('utf8') : decodeURIComponent(payload);
          const hash = createHash('sha256').update(svg).digest('hex').slice(0, 10);
          const name = `icon-${hash}.svg`;
          if (!bundle[dir + name]) this.emitFile({ type: 'asset', fileName: dir + name, source: svg });
          return `url("./${name}")`;
        });
        asset.source = rewritten;
      }
    },
  };
}

export default defineConfig({
  plugins: [externalizeCssDataUris()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Never inline assets as data: URIs (the CSP would block them).
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    target: 'es2022',
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/apps/gitlab/oauth': 'http://127.0.0.1:8080',
      '/healthz': 'http://127.0.0.1:8080',
    },
  },
});
