import QRCode from 'qrcode';

/**
 * The verification link as a QR code: a PNG for the PDF, an SVG data URL for the web page (the
 * pages' content policy allows `data:` images, not inline markup from elsewhere). Error
 * correction M survives a crease or a smudge on a printed receipt.
 */
export function qrPng(url: string): Promise<Buffer> {
  return QRCode.toBuffer(url, {
    type: 'png',
    errorCorrectionLevel: 'M',
    margin: 1,
    scale: 4,
    // Written as greyscale without alpha (pngjs converts qrcode's RGBA): pdfkit then embeds one
    // image instead of an image and its alpha mask, in about half the time.
    rendererOpts: {
      colorType: 0,
      inputHasAlpha: true,
    } as QRCode.QRCodeToBufferOptions['rendererOpts'],
  });
}

export async function qrSvgDataUrl(url: string): Promise<string> {
  const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
