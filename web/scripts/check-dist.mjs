// Checks that web/dist can be served under worklog's Content-Security-Policy
// (`default-src 'self'; frame-ancestors 'none'`) and prints the gzipped size of what a
// browser downloads. Exits non-zero when the build would break under that policy.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const problems = [];

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const html = readFileSync(join(dist, 'index.html'), 'utf8');
for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) {
  if (!/\bsrc=/.test(tag)) problems.push(`index.html has an inline script: ${tag}`);
}
if (/<style\b/i.test(html)) problems.push('index.html has an inline <style> element');
if (/\sstyle=/i.test(html)) problems.push('index.html has a style="" attribute');
if (/\son[a-z]+=/i.test(html)) problems.push('index.html has an inline event handler attribute');
if (/(src|href)=["']?(https?:)?\/\//i.test(html)) problems.push('index.html loads something from another origin');

let js = 0;
let css = 0;
let other = 0;
for (const file of files(dist)) {
  const body = readFileSync(file);
  const gz = gzipSync(body, { level: 9 }).length;
  const name = relative(dist, file);
  if (file.endsWith('.css')) {
    css += gz;
    const text = body.toString('utf8');
    if (/url\(\s*["']?data:/i.test(text)) problems.push(`${name} uses a data: URL`);
    if (/url\(\s*["']?(https?:)?\/\//i.test(text)) problems.push(`${name} loads something from another origin`);
    if (/@import\s/i.test(text)) problems.push(`${name} uses @import`);
  } else if (file.endsWith('.js')) {
    js += gz;
    if (/(from|import\()\s*["']https?:/.test(body.toString('utf8'))) problems.push(`${name} imports from another origin`);
  } else {
    other += gz;
  }
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`web/dist gzipped: JS ${kib(js)}, CSS ${kib(css)}, other ${kib(other)}, total ${kib(js + css + other)}`);
if (problems.length) {
  for (const p of problems) console.error(`check-dist: ${p}`);
  process.exit(1);
}
console.log('check-dist: no inline scripts or styles, no data: URLs, nothing from other origins');
