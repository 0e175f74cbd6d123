import { Injectable } from '@nestjs/common';
import type Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { translate } from '../../common/i18n/i18n';
import { templatesDir } from '../../common/paths';
import { createHandlebars } from '../../common/views/handlebars';
import { AppConfig } from '../../config/app-config';
import { linksWithLanguage } from './email-links';
import { EMAIL_TEMPLATE_NAMES, type EmailPayload, type EmailTemplate } from './email-message';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

type Compiled = Handlebars.TemplateDelegate;

/**
 * Renders emails from `templates/emails/<name>.{html,text}.hbs` inside the `layouts/email` and
 * `layouts/email-text` layouts. Every template is compiled once, when the app starts (a missing or
 * broken template stops the start, not a send). The HTML part escapes all data; the text part is
 * compiled with `noEscape`, since HTML entities would be wrong in plain text.
 */
@Injectable()
export class EmailRenderer {
  private readonly templates: Record<EmailTemplate, { html: Compiled; text: Compiled }>;

  constructor(private readonly config: AppConfig) {
    const hbs = createHandlebars();
    const root = templatesDir();
    const read = (...parts: string[]) => readFileSync(path.join(root, ...parts), 'utf8');
    hbs.registerPartial(
      'layouts/email',
      hbs.compile(read('layouts', 'email.hbs'), { strict: false }),
    );
    hbs.registerPartial(
      'layouts/email-text',
      hbs.compile(read('layouts', 'email-text.hbs'), { noEscape: true }),
    );
    this.templates = Object.fromEntries(
      EMAIL_TEMPLATE_NAMES.map((name) => {
        const html = hbs.compile(read('emails', `${name}.html.hbs`));
        const text = hbs.compile(read('emails', `${name}.text.hbs`), { noEscape: true });
        return [name, { html, text }];
      }),
    ) as Record<EmailTemplate, { html: Compiled; text: Compiled }>;
  }

  render(payload: EmailPayload): RenderedEmail {
    const template = this.templates[payload.template];
    // Subjects are headers, not HTML: placeholders are filled raw, line breaks removed.
    const subject = translate(payload.locale, `email.${payload.template}.subject`, payload.data)
      .replace(/[\r\n]+/g, ' ')
      .trim();
    const data = linksWithLanguage(payload.data, payload.locale, this.config.publicUrl);
    const context = {
      ...data,
      locale: payload.locale,
      subject,
      publicUrl: this.config.publicUrl,
      fields: Object.entries(data).map(([name, value]) => ({
        name,
        value: typeof value === 'string' ? value : JSON.stringify(value),
      })),
    };
    return {
      subject,
      html: template.html(context),
      text: `${template
        .text(context)
        .replace(/\n{3,}/g, '\n\n')
        .trim()}\n`,
    };
  }
}
