// Renders the app icons from public/icon.svg (run after changing the SVG; the PNGs are
// committed). A maskable icon keeps its content inside the central safe zone.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const svg = fs.readFileSync(path.join(root, 'public/icon.svg'));
const out = path.join(root, 'public/icons');
fs.mkdirSync(out, { recursive: true });

for (const size of [192, 512]) {
  await sharp(svg, { density: 384 }).resize(size, size).png().toFile(path.join(out, `icon-${size}.png`));
}
await sharp(svg, { density: 384}).resize(180, 180).flatten({ background: '#1f6f5c' }).png().toFile(path.join(out, 'apple-touch-icon.png'));
// Maskable: the artwork at 80% on a full-bleed background.
const inner = await sharp(svg, { density: 384 }).resize(410, 410).png().toBuffer();
await sharp({ create: { width: 512, height: 512, channels: 4, background: '#1f6f5c' } })
  .composite([{ input: inner, gravity: 'center' }])
  .png()
  .toFile(path.join(out, 'maskable-512.png'));
console.log(`icons written to ${out}`);
