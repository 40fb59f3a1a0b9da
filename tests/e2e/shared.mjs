// What the browser suites share, with no test framework in it: the Playwright fixtures
// (fixtures.mjs) and the WebKit suite (tests/webkit/) both import from here.
import { readFileSync } from 'node:fs';

export const DIST = process.env.DIST || 'dist';
/** The demo build (feature `demo`): the only one with the mock backend. */
export const DEMO_DIST = process.env.DEMO_DIST || 'dist-demo';
export const shippedConfig = () => JSON.parse(readFileSync(`${DIST}/config.json`, 'utf8'));
export const shippedFeed = () => JSON.parse(readFileSync(`${DIST}/campaigns.json`, 'utf8'));

export function shanghaiDay(offsetDays = 0) {
  return new Date(Date.now() + 8 * 3600e3 + offsetDays * 86400e3).toISOString().slice(0, 10);
}

/**
 * Runs in the browser (any engine): draws a w×h picture and returns it as a base64 JPEG.
 * Pass it to page.evaluate (Playwright) or as the body of a WebDriver script.
 */
export function drawPhoto([w, h]) {
  const canvas = document.createElement('canvas');
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext('2d');
  const g = ctx.createLinearGradient(0, 0, w, h);
  g.addColorStop(0, '#c33'); g.addColorStop(1, '#33c');
  ctx.fillStyle = g; ctx.fillRect(0, 0, w, h);
  for (let i = 0; i < 400; i++) { ctx.fillStyle = `hsl(${i * 37 % 360} 70% 50%)`; ctx.fillRect((i * 97) % w, (i * 53) % h, 40, 30); }
  return canvas.toDataURL('image/jpeg', 0.95).split(',')[1];
}

// A JPEG carrying EXIF with a GPS position and an orientation tag (1 = as stored; 6 = the
// phone was held upright, so the picture must be turned a quarter to the right).
export function withGps(jpeg, orientation = 1) {
  return Buffer.concat([jpeg.subarray(0, 2), exifWithGps(orientation), jpeg.subarray(2)]);
}

function exifWithGps(orientation) {
  // Big-endian TIFF: IFD0 with the orientation and a GPSInfo pointer; GPS IFD with latitude ref and value.
  const tiff = Buffer.alloc(92);
  tiff.write('MM', 0, 'ascii'); tiff.writeUInt16BE(42, 2); tiff.writeUInt32BE(8, 4);
  tiff.writeUInt16BE(2, 8); // IFD0: 2 entries, in tag order
  tiff.writeUInt16BE(0x0112, 10); tiff.writeUInt16BE(3, 12); tiff.writeUInt32BE(1, 14); tiff.writeUInt16BE(orientation, 18);
  tiff.writeUInt16BE(0x8825, 22); tiff.writeUInt16BE(4, 24); tiff.writeUInt32BE(1, 26); tiff.writeUInt32BE(38, 30);
  tiff.writeUInt32BE(0, 34);
  tiff.writeUInt16BE(2, 38); // GPS IFD: 2 entries
  tiff.writeUInt16BE(1, 40); tiff.writeUInt16BE(2, 42); tiff.writeUInt32BE(2, 44); tiff.write('N\0', 48, 'ascii');
  tiff.writeUInt16BE(2, 52); tiff.writeUInt16BE(5, 54); tiff.writeUInt32BE(3, 56); tiff.writeUInt32BE(68, 60);
  tiff.writeUInt32BE(0, 64);
  [[31, 1], [13, 1], [4821, 100]].forEach(([n, d], i) => { tiff.writeUInt32BE(n, 68 + i * 8); tiff.writeUInt32BE(d, 72 + i * 8); });
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiff]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([header, body]);
}

/** The marker bytes of a JPEG's segments before the image data (0xE1 is EXIF). */
export function jpegSegments(buffer) {
  const markers = [];
  let i = 2;
  while (i + 4 <= buffer.length && buffer[i] === 0xff) {
    const marker = buffer[i + 1];
    markers.push(marker);
    if (marker === 0xda) break;
    i += 2 + buffer.readUInt16BE(i + 2);
  }
  return markers;
}

/** [width, height] from a JPEG's frame header (SOF0–SOF15, not DHT/JPG/DAC), or null. */
export function jpegSize(buffer) {
  let i = 2;
  while (i + 9 <= buffer.length && buffer[i] === 0xff) {
    const marker = buffer[i + 1];
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return [buffer.readUInt16BE(i + 7), buffer.readUInt16BE(i + 5)];
    }
    if (marker === 0xda) break;
    i += 2 + buffer.readUInt16BE(i + 2);
  }
  return null;
}
