//! Reading a page's QR code as a phone would: the SVG path rasterised and decoded by a QR
//! decoder (rqrr) the desk does not use itself.

/// The dark modules of the first QR code on the page, from its SVG path
/// (`M{x} {y}h{run}v1h-{run}z` per run), as a greyscale image `scale` pixels per module.
fn rasterise(html: &str, scale: usize) -> (usize, Vec<u8>) {
    let svg = &html[html.find("<svg class=\"qr\"").expect("a QR code")..];
    let view = svg.split("viewBox=\"0 0 ").nth(1).unwrap();
    let size: usize = view.split(' ').next().unwrap().parse().unwrap();
    let d = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let side = size * scale;
    let mut pixels = vec![255u8; side * side];
    for stroke in d.split('M').filter(|s| !s.is_empty()) {
        let (x, rest) = stroke.split_once(' ').unwrap();
        let (y, rest) = rest.split_once('h').unwrap();
        let run = rest.split('v').next().unwrap();
        let (x, y, run): (usize, usize, usize) =
            (x.parse().unwrap(), y.parse().unwrap(), run.parse().unwrap());
        for py in y * scale..(y + 1) * scale {
            for px in x * scale..(x + run) * scale {
                pixels[py * side + px] = 0;
            }
        }
    }
    (side, pixels)
}

pub fn decode_qr(html: &str) -> String {
    let (side, pixels) = rasterise(html, 4);
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| pixels[y * side + x]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code found");
    grids[0].decode().expect("the QR code decodes").1
}
