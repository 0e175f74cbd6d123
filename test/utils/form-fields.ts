/** Undoes Handlebars' escaping (and the few named entities pages use) as a browser would. */
export function decodeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|nbsp);/gi, (_m, code: string) => {
    const lower = code.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }[lower]!;
  });
}

const attr = (tag: string, name: string): string | undefined => {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match ? decodeHtml(match[1]!) : undefined;
};

/**
 * The fields a browser would send for the form with this id, as it is shown: text inputs and
 * hidden ones with their values, checked boxes, selected options, and each textarea's text (the
 * one line break right after `<textarea>` is dropped, as HTML parsing does). No files, no
 * buttons. Enough for the back office's server-rendered forms.
 */
export function formFields(html: string, formId: string): Record<string, string> {
  const start = html.indexOf(`id="${formId}"`);
  if (start < 0) throw new Error(`no form with id ${formId}`);
  const open = html.lastIndexOf('<form', start);
  const close = html.indexOf('</form>', start);
  return fieldsOf(html.slice(open, close));
}

export interface PageForm {
  /** The action as written (a path), or '' for "this page". */
  action: string;
  method: string;
  /** multipart/form-data or application/x-www-form-urlencoded. */
  enctype: string;
  fields: Record<string, string>;
  /** The names of its file inputs. */
  files: string[];
}

/** Every form of a page, with the fields a browser would send as it is shown (see formFields). */
export function formsOf(html: string): PageForm[] {
  return [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g)].map(([form]) => {
    const tag = /<form\b[^>]*>/.exec(form)![0];
    return {
      action: attr(tag, 'action') ?? '',
      method: (attr(tag, 'method') ?? 'get').toUpperCase(),
      enctype: attr(tag, 'enctype') ?? 'application/x-www-form-urlencoded',
      fields: fieldsOf(form),
      files: [...form.matchAll(/<input\b[^>]*\stype="file"[^>]*>/g)]
        .map(([input]) => attr(input, 'name'))
        .filter((name): name is string => Boolean(name)),
    };
  });
}

function fieldsOf(form: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [tag] of form.matchAll(/<input\b[^>]*>/g)) {
    const name = attr(tag, 'name');
    const type = attr(tag, 'type') ?? 'text';
    if (!name || type === 'file' || type === 'submit') continue;
    if ((type === 'checkbox' || type === 'radio') && !/\schecked\b/.test(tag)) continue;
    fields[name] = attr(tag, 'value') ?? (type === 'checkbox' ? 'on' : '');
  }
  for (const [, tag, text] of form.matchAll(/(<textarea\b[^>]*>)([\s\S]*?)<\/textarea>/g)) {
    const name = attr(tag!, 'name');
    if (name) fields[name] = decodeHtml(text!.replace(/^\r?\n/, ''));
  }
  for (const [, tag, options] of form.matchAll(/(<select\b[^>]*>)([\s\S]*?)<\/select>/g)) {
    const name = attr(tag!, 'name');
    if (!name) continue;
    const chosen =
      /<option\b[^>]*\sselected\b[^>]*>/.exec(options!) ?? /<option\b[^>]*>/.exec(options!);
    fields[name] = chosen ? (attr(chosen[0], 'value') ?? '') : '';
  }
  return fields;
}
