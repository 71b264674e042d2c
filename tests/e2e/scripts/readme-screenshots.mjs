// Copies three screenshots of an e2e.demo run into docs/screenshots/ for the README, scaled
// down in Debian's Chromium (a canvas), then to a small palette with Debian's pngquant when
// it is installed:
//   node scripts/readme-screenshots.mjs [SCREENSHOTS_DIR]   (default ../../build/dev/e2e-screenshots)
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openBrowser } from '../support/browser.mjs';

const from = process.argv[2] || new URL('../../../build/dev/e2e-screenshots', import.meta.url).pathname;
const to = new URL('../../../docs/screenshots/', import.meta.url).pathname;
const shots = {
  'demo-04-activity-feed': 'my-work-activity-feed',
  'demo-03-manage-staff': 'manage-staff',
  'demo-01-organization': 'gitlab-organization',
};
const WIDTH = 760;

const browser = await openBrowser();
try {
  for (const [name, out] of Object.entries(shots)) {
    const source = `data:image/png;base64,${readFileSync(join(from, `${name}.png`)).toString('base64')}`;
    const scaled = await browser.page.evaluate(
      async ({ source, width }) => {
        const image = new Image();
        image.src = source;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = width;
        canvas.height = Math.round((image.height * width) / image.width);
        const context = canvas.getContext('2d');
        context.imageSmoothingQuality = 'high';
        context.drawImage(image, 0, 0, canvas.width, canvas.height);
        return canvas.toDataURL('image/png');
      },
      { source, width: WIDTH },
    );
    const path = join(to, `${out}.png`);
    writeFileSync(path, Buffer.from(scaled.split(',')[1], 'base64'));
    const quantized = spawnSync('pngquant', ['--force', '--strip', '--quality', '60-85', '--speed', '1', '--ext', '.png', path]);
    console.log(path, quantized.status === 0 ? '(pngquant)' : '(pngquant not available: full colour)');
  }
} finally {
  await browser.close();
}
