// Decodes, scales and JPEG-encodes residents' photos off the page's main thread, so a
// 12-megapixel photo never freezes the form on a slow phone. Only pixels are drawn, so no
// EXIF (GPS position included) survives. The sizes and qualities come from the app's core;
// this file only carries out the steps (see src/platform/browser.js).
const held = new Map();
let next = 0;
const keep = (value) => { held.set(++next, value); return next; };

const steps = {
  async decode(file) {
    // Some WebKit builds have OffscreenCanvas on the page but not in workers: this worker
    // could decode but never draw, so it declines at once and the page does every step.
    if (typeof OffscreenCanvas === 'undefined') throw new Error('no OffscreenCanvas in this worker');
    const image = await createImageBitmap(file, { imageOrientation: 'from-image' });
    return [keep(image), image.width, image.height];
  },
  async draw(id, width, height) {
    const small = await createImageBitmap(held.get(id), { resizeWidth: width, resizeHeight: height, resizeQuality: 'high' });
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff'; // transparent PNGs get a white, not black, background
    ctx.fillRect(0, 0, width, height);
    ctx.drawImage(small, 0, 0);
    small.close();
    return keep(canvas);
  },
  async encode(id, quality) {
    const blob = await held.get(id).convertToBlob({ type: 'image/jpeg', quality });
    return new FileReaderSync().readAsDataURL(blob).split(',')[1] || '';
  },
  release(ids) {
    for (const id of ids) {
      const value = held.get(id);
      held.delete(id);
      if (value && value.close) value.close();
      else if (value) { value.width = 0; value.height = 0; }
    }
  },
};

onmessage = async (event) => {
  const [job, step, args] = event.data;
  try {
    postMessage([job, true, await steps[step](...args)]);
  } catch (error) {
    postMessage([job, false, String(error)]);
  }
};
